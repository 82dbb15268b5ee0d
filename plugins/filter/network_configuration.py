# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""network.json validation on the controller (documentation: network_configuration.yml,
network_configuration_violations.yml; the rules: plugins/module_utils/euca_network.py and
docs/network-configuration.md)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_network


def _version(version, name):
    try:
        return euca_network.normalize_version(version)
    except ValueError as exc:
        raise AnsibleFilterError('%s: %s' % (name, exc))


def network_configuration(document, version):
    """The document unchanged when it keeps every network.json rule of Eucalyptus ``version``;
    otherwise an error listing every violation (key, rule, message)."""
    version = _version(version, 'network_configuration')
    try:
        return euca_network.validate(document, version)
    except euca_network.NetworkConfigurationError as exc:
        raise AnsibleFilterError('network_configuration: %s' % exc)


def network_configuration_violations(document, version):
    """Every violation as a dict {key, rule, message, source}; an empty list for a good document."""
    version = _version(version, 'network_configuration_violations')
    return euca_network.violations(document, version)


class FilterModule(object):

    def filters(self):
        return {
            'network_configuration': network_configuration,
            'network_configuration_violations': network_configuration_violations,
        }
