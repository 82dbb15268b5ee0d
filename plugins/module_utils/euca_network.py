# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of the Eucalyptus network configuration document (network.json, the CLC property
``cloud.network.network_configuration``) for Eucalyptus 4.1 - 4.4, in one place.

``check(document, version)`` returns every violation as a list of :class:`Violation` (empty: the
document is good); ``validate(document, version)`` returns the document unchanged or raises
:class:`NetworkConfigurationError` carrying that list. The filters
``eucalyptus.cloud.network_configuration`` and ``network_configuration_violations`` and the
preflight checks call these two; docs/network-configuration.md lists every rule with its source.

Two kinds of rule (``Violation.source``):

* ``clc``: what the CLC itself refuses (its validator classes, the checks after "explode", the
  JSON binding), worded as the CLC words it (shared/reference/eucalyptus.md §3,
  eucalyptus-admin-tools.md §7). The CLC reports only its first error; ``check`` reports all.
* ``collection``: what the CLC accepts but breaks the cloud (overlapping or duplicate addresses,
  gateway addresses outside their network, forms eucanetd ignores, ...), worded by this collection.

Addresses are compared as integer intervals (a range ``A-B`` is one interval), never expanded, so
tens of thousands of public IPs cost a sort. Pure Python 2.7/3.6+; no netaddr needed.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import bisect
import json
import re

from ansible_collections.eucalyptus.cloud.plugins.module_utils.ipaddrs import AddressError, int_to_ip, ip_to_int

string_types = (str, type(u''))
integer_types = (int, type(2 ** 64))

VERSIONS = ('4.1', '4.2', '4.3', '4.4')
CLC = 'clc'
COLLECTION = 'collection'

# Violations kept per rule; the rest are counted in one closing entry of that rule.
PER_RULE_LIMIT = 20

MAC_PREFIX = re.compile(r'[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\Z')
_ASN = re.compile(r'-?[0-9]+\Z')
_INT = re.compile(r'[0-9]+\Z')
_DOMAIN_PART = re.compile(r'[A-Za-z0-9_-]+\Z')
MAX_GATEWAYS = 6
MIN_VLAN, MAX_VLAN = 2, 4095
MIN_SEGMENT, DEF_SEGMENT, MAX_SEGMENT = 16, 32, 2048
MAX_ASN = 4294967295

# Address blocks that can never be public IPs of a cloud (RFC 1122, RFC 3927, RFC 5771/1112;
# 169.254.0.0/16 also holds eucanetd's metadata and core links).
SPECIAL_BLOCKS = (
    (0x00000000, 0x00FFFFFF, '0.0.0.0/8 ("this network")'),
    (0x7F000000, 0x7FFFFFFF, '127.0.0.0/8 (loopback)'),
    (0xA9FE0000, 0xA9FEFFFF, '169.254.0.0/16 (link-local, used by eucanetd for metadata)'),
    (0xE0000000, 0xFFFFFFFF, '224.0.0.0/3 (multicast, reserved and broadcast)'),
)

# Keys per version (reference §3.2, admin-tools §7). Unknown keys are refused by the CLC's JSON
# binding (Jackson FAIL_ON_UNKNOWN_PROPERTIES, admin-tools §7 "Parsing").
_TOP_41 = ('Mode', 'InstanceDnsDomain', 'InstanceDnsServers', 'MacPrefix', 'Mido', 'PublicGateway',
           'PublicIps', 'PrivateIps', 'Subnets', 'Clusters')
_SUBNET = ('Name', 'Subnet', 'Netmask', 'Gateway')
_MANAGED_SUBNET = ('Name', 'Subnet', 'Netmask', 'MinVlan', 'MaxVlan', 'SegmentSize')
_CLUSTER = ('Name', 'MacPrefix', 'Subnet', 'PrivateIps')
_MIDO_41 = ('EucanetdHost', 'GatewayHost', 'GatewayIP', 'GatewayInterface', 'PublicNetworkCidr',
            'PublicGatewayIP')
_LEGACY_GW = ('GatewayHost', 'GatewayIP', 'GatewayInterface')
_NEW_GW = ('Ip', 'ExternalCidr', 'ExternalDevice', 'ExternalIp', 'ExternalRouterIp', 'BgpPeerIp',
           'BgpPeerAsn', 'BgpAdRoutes')
_MODES_41 = ('EDGE', 'VPCMIDO')
_MODES_42 = ('EDGE', 'MANAGED', 'MANAGED-NOVLAN', 'VPCMIDO')

_TYPES = {  # key -> expected JSON type where it is not a string
    'InstanceDnsServers': list, 'PublicIps': list, 'PrivateIps': list, 'Subnets': list,
    'Clusters': list, 'Gateways': list, 'BgpAdRoutes': list,
    'Mido': dict, 'ManagedSubnet': dict, 'Subnet': dict,
    'MinVlan': int, 'MaxVlan': int, 'SegmentSize': int,
}


def schema(version):
    """Known keys per object for ``version``: {'top', 'subnet', 'managed_subnet', 'cluster',
    'cluster_subnet', 'mido', 'gateway'} -> tuple of keys (``None``: the object does not exist)."""
    top = _TOP_41 + (('ManagedSubnet',) if version != '4.1' else ())
    mido = _MIDO_41
    gateway = None
    if version in ('4.2', '4.3'):
        mido = _MIDO_41 + ('Gateways',)
        gateway = _LEGACY_GW
    elif version == '4.4':
        mido = _MIDO_41 + ('Gateways', 'BgpAsn')
        gateway = _LEGACY_GW + _NEW_GW
    return {'top': top, 'subnet': _SUBNET, 'managed_subnet': _MANAGED_SUBNET, 'cluster': _CLUSTER,
            'cluster_subnet': _SUBNET, 'mido': mido, 'gateway': gateway}


def modes(version):
    return _MODES_41 if version == '4.1' else _MODES_42


class Violation(object):
    """One broken rule: ``key`` (path in PascalCase, e.g. ``Mido.Gateways[0].ExternalIp``),
    ``rule`` (a stable short name), ``message``, ``source`` (``clc`` or ``collection``)."""

    __slots__ = ('key', 'rule', 'message', 'source')

    def __init__(self, key, rule, message, source=CLC):
        self.key, self.rule, self.message, self.source = key, rule, message, source

    def as_dict(self):
        return {'key': self.key, 'rule': self.rule, 'message': self.message, 'source': self.source}

    def __str__(self):
        return '%s [%s]: %s' % (self.key or '(document)', self.rule, self.message)

    __repr__ = __str__


class NetworkConfigurationError(ValueError):
    """Raised by :func:`validate`; ``violations`` holds every :class:`Violation`."""

    def __init__(self, violations, version):
        self.violations = violations
        self.version = version
        lines = ['network.json breaks %d rule%s of Eucalyptus %s:' % (
            len(violations), '' if len(violations) == 1 else 's', version)]
        lines.extend('- %s' % v for v in violations)
        super(NetworkConfigurationError, self).__init__('\n'.join(lines))


def normalize_version(version):
    """'4.4', 4.4, '4.4.0' -> '4.4'; ValueError for anything but 4.1 - 4.4."""
    text = ('%r' % version) if isinstance(version, float) else str(version).strip()
    match = re.match(r'([0-9]+)\.([0-9]+)(\.[0-9]+)*\Z', text)
    norm = '%s.%s' % (match.group(1), match.group(2)) if match else text
    if norm not in VERSIONS:
        raise ValueError('unsupported Eucalyptus version %r: the network.json rules are known for %s'
                         % (version, ', '.join(VERSIONS)))
    return norm


# ---------------------------------------------------------------------------------------------
# address parsing (the CLC's forms: Guava InetAddresses, IPRange.parse, Cidr.parse)

def _ip(text):
    """Integer of a strict IPv4 dotted quad, or None."""
    if not isinstance(text, string_types):
        return None
    try:
        return ip_to_int(text.strip())
    except AddressError:
        return None


def _looks_ipv6(text):
    return isinstance(text, string_types) and ':' in text and re.match(r'[0-9A-Fa-f:.]+\Z', text.strip()) is not None


def _range(text):
    """(lo, hi) of an IPRange entry: ``A`` or ``A-B`` (blanks around the parts are trimmed, as
    the CLC's Splitter does), or None."""
    if not isinstance(text, string_types):
        return None
    parts = [p.strip() for p in text.split('-', 1)]
    parts = [p for p in parts if p]
    if not parts:
        return None
    lo = _ip(parts[0])
    hi = _ip(parts[-1])
    if lo is None or hi is None or hi < lo:
        return None
    return lo, hi


def _cidr(text):
    """(network, prefix, host_bits_set) of ``a.b.c.d/n``, or None."""
    if not isinstance(text, string_types) or '/' not in text:
        return None
    addr, _sep, plen = text.strip().partition('/')
    value = _ip(addr)
    if value is None or not _INT.match(plen) or (len(plen) > 1 and plen[0] == '0') or int(plen) > 32:
        return None
    plen = int(plen)
    mask = ((0xffffffff << (32 - plen)) & 0xffffffff) if plen else 0
    return value & mask, plen, (value & mask) != value


def _cidr_hosts(network, plen):
    """Host interval of a CIDR as the CLC's IPRange.fromCidr computes it (network and broadcast
    addresses left out when that leaves at least one address)."""
    lo = network
    hi = network | ((1 << (32 - plen)) - 1)
    if lo + 1 <= hi - 1:
        return lo + 1, hi - 1
    return lo, hi


def _netmask_ok(value):
    """Contiguous netmask (the CLC's NetmaskValidator bit walk)."""
    inverted = value ^ 0xffffffff
    return (inverted & (inverted + 1)) == 0


def _valid_domain(text):
    """Guava InternetDomainName.isValid, closely enough: 1-63 character labels of letters,
    digits, '-' and '_', not starting or ending with '-' or '_', at most 253 characters, the last
    label not starting with a digit; one trailing dot allowed, a leading one is not."""
    if text.endswith('.'):
        text = text[:-1]
    if not text or len(text) > 253:
        return False
    labels = text.split('.')
    if len(labels) > 127:
        return False
    for i, label in enumerate(labels):
        if not label or len(label) > 63 or not _DOMAIN_PART.match(label):
            return False
        if label[0] in '-_' or label[-1] in '-_':
            return False
        if i == len(labels) - 1 and label[0].isdigit():
            return False
    return True


def _fmt(lo, hi):
    return int_to_ip(lo) if lo == hi else '%s-%s' % (int_to_ip(lo), int_to_ip(hi))


def _merge(intervals):
    """Union of (lo, hi) intervals as a sorted list of disjoint intervals."""
    out = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


class _IntervalIndex(object):
    """Labelled intervals (possibly overlapping each other); ``first_overlap(lo, hi)`` returns the
    label of one interval meeting [lo, hi] (the one reaching furthest), or None, in O(log n)."""

    def __init__(self, items):
        items = sorted(items, key=lambda item: (item[0], item[1]))
        self.starts = [item[0] for item in items]
        self.best = []      # prefix maximum of hi: (hi, label)
        best = None
        for lo, hi, label in items:
            if best is None or hi > best[0]:
                best = (hi, label)
            self.best.append(best)

    def first_overlap(self, lo, hi):
        idx = bisect.bisect_right(self.starts, hi) - 1
        if idx < 0:
            return None
        reach, label = self.best[idx]
        return label if reach >= lo else None

    def __bool__(self):
        return bool(self.starts)

    __nonzero__ = __bool__


# ---------------------------------------------------------------------------------------------

def _truthy(value):
    """Groovy truth of a bound value: null, '' and [] are false."""
    return value is not None and value != '' and value != [] and value != {}


def _is_string(value):
    return isinstance(value, string_types) or (isinstance(value, integer_types) and not isinstance(value, bool))


def _text(value):
    if value is None or isinstance(value, string_types):
        return value
    return str(value)


class _Checker(object):

    def __init__(self, version):
        self.version = version
        self.violations = []
        self.counts = {}

    # -- recording
    def add(self, key, rule, message, source=CLC):
        count = self.counts.get(rule, 0) + 1
        self.counts[rule] = count
        if count <= PER_RULE_LIMIT:
            self.violations.append(Violation(key, rule, message, source))

    def finish(self):
        for rule, count in sorted(self.counts.items()):
            if count > PER_RULE_LIMIT:
                self.violations.append(Violation(
                    '', rule, '%d more violations of rule %s not listed' % (count - PER_RULE_LIMIT, rule),
                    COLLECTION))
        return self.violations

    # -- the CLC's validator helpers (messages of admin-tools §7)
    def require(self, obj, key, path):
        value = obj.get(key)
        if value is None or (isinstance(value, string_types) and not value.strip()):
            self.add(path, 'required', 'Missing required property "%s"' % path)
            return False
        return True

    def forbid(self, obj, key, path):
        if obj.get(key) is not None:
            self.add(path, 'forbidden', 'Invalid use of property "%s"' % path)

    def check_ip(self, value, path):
        """IPValidator: a non-empty value must be an IP (IPv4 here)."""
        if not _truthy(value):
            return None
        value = _text(value)
        number = _ip(value)
        if number is None:
            if _looks_ipv6(value):
                self.add(path, 'ipv4', 'Invalid IP "%s": "%s" (the CLC takes IPv6 here, but eucanetd and '
                         'the address pools are IPv4 only)' % (path, value), COLLECTION)
            else:
                self.add(path, 'ip', 'Invalid IP "%s": "%s"' % (path, value))
        return number

    def check_host(self, value, path):
        """HostValidator: an IP or a valid DNS name."""
        if not _truthy(value):
            return
        value = _text(value).strip()
        if _ip(value) is None and not _looks_ipv6(value) and not _valid_domain(value):
            self.add(path, 'host', 'Invalid host "%s": "%s"' % (path, value))
            return
        if self.version in ('4.2', '4.3') and _ip(value) is not None:
            self.add(path, 'host-name', '%s is the IP "%s": eucanetd %s finds EucanetdHost and GatewayHost '
                     'by their MidoNet host name (exact match), never by address; give the host name '
                     'midolman registered' % (path, value, self.version), COLLECTION)

    def check_cidr(self, value, path):
        if not _truthy(value):
            return None
        value = _text(value)
        parsed = _cidr(value)
        if parsed is None:
            self.add(path, 'cidr', 'Invalid CIDR for "%s": "%s"' % (path, value))
            return None
        network, plen, host_bits = parsed
        if host_bits:
            self.add(path, 'cidr-host-bits', 'Invalid CIDR for "%s": "%s" has host bits set; the network is '
                     '%s/%d' % (path, value, int_to_ip(network), plen), COLLECTION)
        return network, plen

    def check_asn(self, value, path):
        if not _truthy(value):
            return
        text = _text(value).strip()
        if not _ASN.match(text) or not 1 <= int(text) <= MAX_ASN:
            self.add(path, 'asn', 'Invalid ASN "%s": "%s"' % (path, _text(value)))

    def check_interface(self, value, path):
        if not _truthy(value):
            return
        text = _text(value)
        if len(text) > 15 or text in ('.', '..') or re.search(r'[\s/:]', text):
            self.add(path, 'interface-name', '%s "%s" is not a Linux interface name (at most 15 characters, '
                     'no blank, "/" or ":"); midolman could never bind it' % (path, text), COLLECTION)

    def typed(self, obj, key, path, want=None):
        """obj[key] if of the type the CLC binds, else None (a type violation is recorded)."""
        value = obj.get(key)
        if value is None:
            return None
        if want is None:
            want = _TYPES.get(key, str)
        if want is list:
            ok = isinstance(value, list)
        elif want is dict:
            ok = isinstance(value, dict)
        elif want is int:
            ok = (isinstance(value, integer_types) and not isinstance(value, bool)) or \
                (isinstance(value, string_types) and _INT.match(value.strip()) is not None)
            if ok:
                return int(value)
        else:
            ok = _is_string(value)
            if ok:
                return _text(value)
        if not ok:
            kind = {list: 'a list', dict: 'an object', int: 'an integer', str: 'a string'}[want]
            self.add(path, 'type', 'Can not bind "%s": expected %s, got %s' % (path, kind, json.dumps(value)[:60]))
            return None
        return value

    def unknown(self, obj, known, path):
        for key in obj:
            if key not in known:
                where = ('%s.%s' % (path, key)) if path else key
                self.add(where, 'unknown-key', 'Unrecognized field "%s" (not a network.json key in Eucalyptus '
                         '%s; known keys here: %s)' % (where, self.version, ', '.join(known)))

    def string_list(self, obj, key, path):
        """The entries of a list of strings, with None for entries of another type."""
        values = self.typed(obj, key, path)
        if values is None:
            return None
        out = []
        for i, item in enumerate(values):
            if item is not None and not _is_string(item):
                self.add('%s[%d]' % (path, i), 'type', 'Can not bind "%s[%d]": expected a string, got %s'
                         % (path, i, json.dumps(item)[:60]))
                out.append(None)
            else:
                out.append(_text(item))
        return out

    def ranges(self, values, path):
        """IPRangeValidator over a list; returns [(lo, hi, index, text)] of the valid entries."""
        out = []
        for i, item in enumerate(values or ()):
            parsed = _range(item)
            where = '%s[%d]' % (path, i)
            if parsed is None:
                if _looks_ipv6(item):
                    self.add(where, 'ipv4', 'Invalid IP or IP range for "%s": "%s" (IPv4 only)' % (where, item),
                             COLLECTION)
                else:
                    extra = ''
                    if isinstance(item, string_types) and _cidr(item) is not None:
                        extra = ' (a CIDR is not an IP range here: write it as first-last)'
                    self.add(where, 'ip-range', 'Invalid IP or IP range for "%s": "%s"%s' % (where, item, extra))
                continue
            out.append((parsed[0], parsed[1], i, item.strip()))
        return out


# ---------------------------------------------------------------------------------------------

def _subnet(chk, obj, path, known):
    """EdgeSubnetValidator; returns {'name', 'subnet', 'netmask', 'gateway', ints...} or None."""
    chk.unknown(obj, known, path)
    name = chk.typed(obj, 'Name', path + '.Name')
    fields = dict((k, chk.typed(obj, k, '%s.%s' % (path, k), str)) for k in ('Subnet', 'Netmask', 'Gateway'))
    before = len(chk.violations)
    for key in ('Subnet', 'Netmask', 'Gateway'):
        chk.require(obj, key, '%s.%s' % (path, key))
    subnet = chk.check_ip(fields['Subnet'], path + '.Subnet')
    netmask = chk.check_ip(fields['Netmask'], path + '.Netmask')
    if netmask is not None and not _netmask_ok(netmask):
        chk.add(path + '.Netmask', 'netmask', 'Invalid netmask for "%s.Netmask": "%s"' % (path, fields['Netmask']))
        netmask = None
    gateway = chk.check_ip(fields['Gateway'], path + '.Gateway')
    if len(chk.violations) != before or None in (subnet, netmask, gateway):
        return None
    ok = True
    if subnet & netmask != subnet:
        chk.add(path + '.Subnet', 'subnet', 'Invalid subnet due to netmask for subnet "%s": "%s"'
                % (path, fields['Subnet']))
        ok = False
    if gateway == subnet or gateway & netmask != subnet:
        chk.add(path + '.Gateway', 'subnet-gateway', 'Invalid gateway due to subnet/netmask for subnet "%s": "%s"'
                % (path, fields['Gateway']))
        ok = False
    if not ok:
        return None
    return {'name': name, 'subnet': fields['Subnet'].strip(), 'netmask': fields['Netmask'].strip(),
            'gateway_text': fields['Gateway'].strip(), 'net': subnet, 'mask': netmask, 'gw': gateway,
            'path': path}


def _subnet_hosts(sub):
    """IPRange.fromSubnet: the subnet without its network and broadcast addresses."""
    lo = sub['net']
    hi = sub['net'] | (sub['mask'] ^ 0xffffffff)
    if lo + 1 <= hi - 1:
        return lo + 1, hi - 1
    return lo, hi


def _managed_subnet(chk, obj, path):
    chk.unknown(obj, _MANAGED_SUBNET, path)
    fields = dict((k, chk.typed(obj, k, '%s.%s' % (path, k), str if k in ('Name', 'Subnet', 'Netmask') else None))
                  for k in _MANAGED_SUBNET)
    before = len(chk.violations)
    chk.require(obj, 'Subnet', path + '.Subnet')
    chk.require(obj, 'Netmask', path + '.Netmask')
    subnet = chk.check_ip(fields['Subnet'], path + '.Subnet')
    netmask = chk.check_ip(fields['Netmask'], path + '.Netmask')
    if netmask is not None and not _netmask_ok(netmask):
        chk.add(path + '.Netmask', 'netmask', 'Invalid netmask for "%s.Netmask": "%s"' % (path, fields['Netmask']))
        netmask = None
    if len(chk.violations) != before or subnet is None or netmask is None:
        return None
    if subnet & netmask != subnet:
        chk.add(path, 'managed-subnet', 'Invalid managed subnet due to netmask for subnet "%s": "%s"'
                % (path, fields['Netmask']))
        return None
    seg = fields['SegmentSize']
    if seg:
        if seg < MIN_SEGMENT:
            chk.add(path + '.SegmentSize', 'managed-subnet', 'Invalid managed subnet due to SegmentSize size being '
                    'less than 16 for subnet "%s": "%s"' % (path, seg))
        elif seg > MAX_SEGMENT:
            chk.add(path + '.SegmentSize', 'managed-subnet', 'Invalid managed subnet due to SegmentSize size being '
                    'more than 2048 for subnet "%s": "%s"' % (path, seg))
        elif seg & (seg - 1):
            chk.add(path + '.SegmentSize', 'managed-subnet', 'Invalid managed subnet due to SegmentSize not being '
                    'a power of 2 for subnet "%s": "%s"' % (path, seg))
    size = (netmask ^ 0xffffffff) + 1
    usable = size // (seg or DEF_SEGMENT)
    lo_vlan, hi_vlan = fields['MinVlan'], fields['MaxVlan']
    if lo_vlan:
        if lo_vlan < MIN_VLAN:
            chk.add(path + '.MinVlan', 'managed-subnet', 'Invalid managed subnet due to MinVlan for subnet "%s": '
                    '"%s" < "%s"' % (path, lo_vlan, MIN_VLAN))
        elif lo_vlan > MAX_VLAN:
            chk.add(path + '.MinVlan', 'managed-subnet', 'Invalid managed subnet due to MinVlan for subnet "%s": '
                    '"%s" > "%s"' % (path, lo_vlan, MAX_VLAN))
        elif lo_vlan > usable:
            chk.add(path + '.MinVlan', 'managed-subnet', 'Invalid managed subnet due to MinVlan being greater than '
                    'the maximum usable vlan for the subnet and segment size "%s": MinVlan "%s" > maximum usable '
                    'min vlan "%s"' % (path, lo_vlan, usable))
        elif hi_vlan and lo_vlan > hi_vlan:
            chk.add(path + '.MinVlan', 'managed-subnet', 'Invalid managed subnet due to MinVlan being greater than '
                    'MaxVlan for subnet "%s": MinVlan "%s" > MaxVlan "%s"' % (path, lo_vlan, hi_vlan))
    if hi_vlan:
        if hi_vlan < MIN_VLAN:
            chk.add(path + '.MaxVlan', 'managed-subnet', 'Invalid managed subnet due to MaxVlan for subnet "%s": '
                    '"%s" < "%s"' % (path, hi_vlan, MIN_VLAN))
        elif hi_vlan > MAX_VLAN:
            chk.add(path + '.MaxVlan', 'managed-subnet', 'Invalid managed subnet due to MaxVlan for subnet "%s": '
                    '"%s" > "%s"' % (path, hi_vlan, MAX_VLAN))
    return subnet, subnet | (netmask ^ 0xffffffff)


def _gateway_entry(chk, gw, path, new_form, bgp, known):
    """MidonetGatewayLegacyValidator / MidonetGatewayValidator (4.4); returns the parsed entry."""
    entry = {'path': path}
    values = dict((k, chk.typed(gw, k, '%s.%s' % (path, k))) for k in gw if k in known and k != 'BgpAdRoutes')
    routes = chk.string_list(gw, 'BgpAdRoutes', path + '.BgpAdRoutes') if 'BgpAdRoutes' in known else None
    if not new_form:
        for key in _NEW_GW:
            if key in known:
                chk.forbid(gw, key, '%s.%s' % (path, key))
        for key in _LEGACY_GW:
            chk.require(gw, key, '%s.%s' % (path, key))
        chk.check_host(values.get('GatewayHost'), path + '.GatewayHost')
        entry['ip'] = chk.check_ip(values.get('GatewayIP'), path + '.GatewayIP')
        entry['ip_key'] = path + '.GatewayIP'
        chk.check_interface(values.get('GatewayInterface'), path + '.GatewayInterface')
        entry['bind'] = (values.get('GatewayHost'), values.get('GatewayInterface'))
        return entry
    for key in _LEGACY_GW:
        chk.forbid(gw, key, '%s.%s' % (path, key))
    for key in ('Ip', 'ExternalCidr', 'ExternalDevice', 'ExternalIp'):
        chk.require(gw, key, '%s.%s' % (path, key))
    if bgp:
        chk.require(gw, 'BgpPeerIp', path + '.BgpPeerIp')
        chk.require(gw, 'BgpPeerAsn', path + '.BgpPeerAsn')
        if routes is None:
            chk.require({}, 'BgpAdRoutes', path + '.BgpAdRoutes')
        elif not routes:
            chk.add(path + '.BgpAdRoutes', 'bgp-routes', 'At least one route is required "%s"' % path)
    else:
        chk.require(gw, 'ExternalRouterIp', path + '.ExternalRouterIp')
        present = [k for k in ('BgpPeerIp', 'BgpPeerAsn', 'BgpAdRoutes') if gw.get(k) is not None]
        if present:
            chk.add('%s.%s' % (path, present[0]), 'bgp-without-asn', '%s.%s is given but Mido.BgpAsn is not: '
                    'without BgpAsn the gateway is static (ExternalRouterIp) and eucanetd configures no BGP'
                    % (path, present[0]), COLLECTION)
    chk.check_ip(values.get('Ip'), path + '.Ip')
    cidr = chk.check_cidr(values.get('ExternalCidr'), path + '.ExternalCidr')
    chk.check_interface(values.get('ExternalDevice'), path + '.ExternalDevice')
    ext_ip = chk.check_ip(values.get('ExternalIp'), path + '.ExternalIp')
    router = chk.check_ip(values.get('ExternalRouterIp'), path + '.ExternalRouterIp')
    peer = chk.check_ip(values.get('BgpPeerIp'), path + '.BgpPeerIp')
    chk.check_asn(values.get('BgpPeerAsn'), path + '.BgpPeerAsn')
    entry['routes'] = []
    for i, route in enumerate(routes or ()):
        parsed = chk.check_cidr(route, '%s.BgpAdRoutes[%d]' % (path, i))
        if parsed:
            entry['routes'].append(_cidr_bounds(parsed))
    if cidr:
        lo, hi = _cidr_hosts(*cidr)
        for value, key in ((ext_ip, 'ExternalIp'), (router, 'ExternalRouterIp'), (peer, 'BgpPeerIp')):
            if value is not None and not lo <= value <= hi:
                chk.add('%s.%s' % (path, key), 'external-cidr', '%s must be within ExternalCidr "%s.%s"'
                        % (key, path, key))
        entry['cidr'] = _cidr_bounds(cidr)
        entry['cidr_text'] = _text(values.get('ExternalCidr')).strip()
    entry['ip'] = ext_ip
    entry['ip_key'] = path + '.ExternalIp'
    entry['next_hops'] = [(v, '%s.%s' % (path, k)) for v, k in ((router, 'ExternalRouterIp'), (peer, 'BgpPeerIp'))
                          if v is not None]
    entry['bind'] = (values.get('Ip'), values.get('ExternalDevice'))
    return entry


def _cidr_bounds(parsed):
    network, plen = parsed
    return network, network | ((1 << (32 - plen)) - 1)


def _mido(chk, mido, known):
    """MidonetValidator per version; returns a summary used by the address rules."""
    version = chk.version
    chk.unknown(mido, known['mido'], 'Mido')
    top = dict((k, chk.typed(mido, k, 'Mido.' + k)) for k in mido if k in known['mido'] and k != 'Gateways')
    gateways = chk.typed(mido, 'Gateways', 'Mido.Gateways') if 'Gateways' in mido and known['gateway'] else None
    if gateways is not None:
        bad = [i for i, g in enumerate(gateways) if not isinstance(g, dict)]
        for i in bad:
            chk.add('Mido.Gateways[%d]' % i, 'type', 'Can not bind "Mido.Gateways[%d]": expected an object' % i)
        gateways = [g if isinstance(g, dict) else {} for g in gateways]
    summary = {'form': 'legacy', 'gateways': [], 'cidr': None, 'public_gw': None, 'bgp': False}
    legacy_top = [k for k in _LEGACY_GW if _truthy(top.get(k))]

    new_form = False
    if version == '4.4':
        new_form = any(any(_truthy(g.get(k)) if k != 'BgpAdRoutes' else g.get(k) is not None for k in _NEW_GW)
                       for g in gateways or ())
        if not new_form and not gateways and not _truthy(top.get('PublicNetworkCidr')) \
                and not _truthy(top.get('PublicGatewayIP')):
            new_form = True
    bgp = version == '4.4' and mido.get('BgpAsn') is not None

    if version == '4.1':
        for key in _MIDO_41:
            chk.require(mido, key, 'Mido.' + key)
    else:
        if version in ('4.2', '4.3'):
            chk.require(mido, 'EucanetdHost', 'Mido.EucanetdHost')
        if new_form or len(legacy_top) < 3:
            if mido.get('Gateways') is None or not known['gateway']:
                chk.require({}, 'Gateways', 'Mido.Gateways')
            for i, gw in enumerate(gateways or ()):
                path = 'Mido.Gateways[%d]' % i
                chk.unknown(gw, known['gateway'], path)
                summary['gateways'].append(_gateway_entry(chk, gw, path, new_form, bgp, known['gateway']))
            if gateways is not None and not gateways:
                chk.add('Mido.Gateways', 'gateways-min', 'At least one gateway is required "Mido.Gateways"')
            elif gateways is not None and len(gateways) > MAX_GATEWAYS:
                chk.add('Mido.Gateways', 'gateways-max', 'Maximum allowed gateways (6) exceeded "Mido.Gateways": %d'
                        % len(gateways))
        if not new_form:
            chk.require(mido, 'PublicNetworkCidr', 'Mido.PublicNetworkCidr')
            chk.require(mido, 'PublicGatewayIP', 'Mido.PublicGatewayIP')
        else:
            chk.forbid(mido, 'PublicNetworkCidr', 'Mido.PublicNetworkCidr')
            chk.forbid(mido, 'PublicGatewayIP', 'Mido.PublicGatewayIP')

    chk.check_host(top.get('EucanetdHost'), 'Mido.EucanetdHost')
    chk.check_host(top.get('GatewayHost'), 'Mido.GatewayHost')
    gw_ip = chk.check_ip(top.get('GatewayIP'), 'Mido.GatewayIP')
    chk.check_interface(top.get('GatewayInterface'), 'Mido.GatewayInterface')
    cidr = chk.check_cidr(top.get('PublicNetworkCidr'), 'Mido.PublicNetworkCidr')
    public_gw = chk.check_ip(top.get('PublicGatewayIP'), 'Mido.PublicGatewayIP')
    if version == '4.4':
        chk.check_asn(top.get('BgpAsn'), 'Mido.BgpAsn')

    # the collection's rules on the gateway forms
    if version != '4.1' and legacy_top and gateways is not None:
        chk.add('Mido.' + legacy_top[0], 'gateway-form-mix', 'Mido.%s and Mido.Gateways are both given: the single '
                'gateway at Mido level and the Gateways list are two forms of the same setting (the CLC then '
                'silently uses one of them); give one' % legacy_top[0], COLLECTION)
    if version == '4.4' and bgp and not new_form:
        chk.add('Mido.BgpAsn', 'bgp-without-gateways', 'Mido.BgpAsn needs new-form gateways (Ip, ExternalDevice, '
                'ExternalCidr, ExternalIp, BgpPeerIp, BgpPeerAsn, BgpAdRoutes): with the legacy form '
                '(PublicNetworkCidr, PublicGatewayIP) eucanetd configures no BGP', COLLECTION)

    if not new_form and len(legacy_top) == 3 and (gateways is None or version == '4.1'):
        summary['gateways'].append({'ip': gw_ip, 'ip_key': 'Mido.GatewayIP', 'path': 'Mido',
                                    'bind': (top.get('GatewayHost'), top.get('GatewayInterface'))})
    summary['form'] = 'new' if new_form else 'legacy'
    summary['bgp'] = bgp
    summary['cidr'] = cidr
    summary['cidr_text'] = _text(top.get('PublicNetworkCidr') or '').strip()
    summary['public_gw'] = public_gw
    return summary


def _uplink_rules(chk, summary):
    """Gateway addresses inside their networks, distinct, bound once (collection rules)."""
    gateways = summary['gateways']
    if summary['form'] == 'legacy' and summary['cidr']:
        lo, hi = _cidr_hosts(*summary['cidr'])
        cidr_text = summary['cidr_text']
        for gw in gateways:
            if gw.get('ip') is not None and not lo <= gw['ip'] <= hi:
                chk.add(gw['ip_key'], 'gateway-cidr', '%s %s is not a host address of Mido.PublicNetworkCidr %s: '
                        'eucanetd gives eucart\'s gateway port this address in PublicNetworkCidr'
                        % (gw['ip_key'], int_to_ip(gw['ip']), cidr_text), COLLECTION)
        if summary['public_gw'] is not None and not lo <= summary['public_gw'] <= hi:
            chk.add('Mido.PublicGatewayIP', 'gateway-cidr', 'Mido.PublicGatewayIP %s is not a host address of '
                    'Mido.PublicNetworkCidr %s: eucart\'s default route goes via PublicGatewayIP out of the '
                    'gateway port, so it must be on that network' % (int_to_ip(summary['public_gw']), cidr_text),
                    COLLECTION)
    # port addresses (GatewayIP, ExternalIp) are unique and never a next hop; next hops
    # (PublicGatewayIP, ExternalRouterIp, BgpPeerIp) may be shared by several gateways
    seen = {}
    for gw in gateways:
        value, key = gw.get('ip'), gw.get('ip_key')
        if value is None:
            continue
        if value in seen:
            chk.add(key, 'gateway-distinct', '%s %s is also %s: every gateway port needs an address of its own'
                    % (key, int_to_ip(value), seen[value]), COLLECTION)
        else:
            seen[value] = key
    hops = []
    if summary['public_gw'] is not None:
        hops.append((summary['public_gw'], 'Mido.PublicGatewayIP'))
    for gw in gateways:
        hops.extend(gw.get('next_hops', ()))
    ports = dict(seen)
    for value, key in hops:
        if value in ports:
            chk.add(ports[value], 'gateway-distinct', '%s %s is also %s: a gateway port cannot be its own next hop'
                    % (ports[value], int_to_ip(value), key), COLLECTION)
        seen.setdefault(value, key)
    binds = {}
    for gw in gateways:
        bind = gw.get('bind')
        if bind and all(_truthy(b) for b in bind):
            if bind in binds:
                chk.add(gw['path'], 'gateway-distinct', '%s binds %s on %s again (as %s): one interface carries one '
                        'gateway port' % (gw['path'], bind[1], bind[0], binds[bind]), COLLECTION)
            else:
                binds[bind] = gw['path']
    return seen


def _edge(chk, subnets, clusters, top_private):
    """The CLC's explode + validate for EDGE; returns the effective private ranges
    [(lo, hi, label)] for the overlap rule."""
    by_name = {}
    for sub in subnets:
        if sub is None:
            continue
        name = sub['name'] or sub['subnet']
        if name in by_name:
            chk.add(sub['path'] + '.Name', 'subnet-duplicate', '%s.Name "%s" is also the name of %s: a cluster '
                    'referring to it by name gets either' % (sub['path'], name, by_name[name]['path']), COLLECTION)
        else:
            by_name[name] = sub
    single = subnets[0] if len(subnets) == 1 else None
    private = []
    if not clusters:
        if len(subnets) != 1:
            chk.add('Subnets', 'single-subnet', 'A single subnet must be configured when clusters are not specified.')
            return private
        if single is None:
            return private
        ranges = top_private if top_private else None
        _private_in_subnet(chk, single, ranges, '', 'PrivateIps')
        if ranges is None:
            ranges = _whole_subnet(single, 'the subnet %s/%s minus its gateway (no PrivateIps given)'
                                   % (single['subnet'], single['netmask']))
        private.extend(ranges)
        return private
    for cl in clusters:
        if cl['subnet_error']:
            continue
        sub = cl['subnet']
        if sub is None:
            ref = cl['subnet_ref']
            sub = by_name.get(ref, single) if ref else single
        if sub is None:
            if None in subnets:     # a global subnet is broken already (reported above)
                continue
            chk.add(cl['path'], 'cluster-subnet', '%s (%s) has no subnet: neither a Subnet of its own nor a single '
                    'global one; the CLC accepts this and then fails at run time with "Networking configuration '
                    'not found for cluster \'%s\'"' % (cl['path'], cl['name'], cl['name']), COLLECTION)
            continue
        if cl['private'] is None and top_private:
            ranges = top_private
        elif not cl['private']:
            ranges = _whole_subnet(sub, 'the subnet %s/%s of cluster %s minus its gateway (no PrivateIps given)'
                                   % (sub['subnet'], sub['netmask'], cl['name']))
        else:
            ranges = cl['private']
        _private_in_subnet(chk, sub, ranges, ' for cluster %s' % cl['name'],
                           cl['path'] + '.PrivateIps' if cl['private'] else 'PrivateIps')
        private.extend(ranges)
    return private


def _whole_subnet(sub, label):
    lo, hi = _subnet_hosts(sub)
    out = []
    if lo <= sub['gw'] - 1:
        out.append((lo, min(hi, sub['gw'] - 1), label))
    if sub['gw'] + 1 <= hi:
        out.append((max(lo, sub['gw'] + 1), hi, label))
    return out


def _private_in_subnet(chk, sub, ranges, desc, key):
    if not ranges:
        return
    lo, hi = _subnet_hosts(sub)
    for r_lo, r_hi, label in ranges:
        if not (lo <= r_lo and r_hi <= hi):
            chk.add(key, 'private-range', 'Private IP range %s not valid for subnet/netmask %s/%s%s'
                    % (_fmt(r_lo, r_hi), sub['subnet'], sub['netmask'], desc))
        elif r_lo <= sub['gw'] <= r_hi:
            chk.add(key, 'private-gateway', 'Private IP range %s (%s) holds the gateway %s of subnet %s/%s%s: an '
                    'instance would get the router\'s address' % (_fmt(r_lo, r_hi), label, sub['gateway_text'],
                                                                  sub['subnet'], sub['netmask'], desc), COLLECTION)


def _labelled(entries, path):
    return [(lo, hi, '%s[%d] "%s"' % (path, i, text)) for lo, hi, i, text in entries]


def _public_rules(chk, public, private, mido, edge_subnets, managed):
    """Duplicate public IPs; overlaps with private ranges, the uplink, gateway addresses and
    special blocks; BGP coverage (collection rules; interval arithmetic)."""
    # duplicates: sweep in address order, remembering the entry reaching furthest
    order = sorted(public, key=lambda e: (e[0], e[1], e[2]))
    reach = None
    for lo, hi, i, text in order:
        if reach is not None and lo <= reach[1]:
            chk.add('PublicIps[%d]' % i, 'public-duplicate', 'PublicIps[%d] "%s" overlaps PublicIps[%d] "%s": '
                    'duplicate public IPs (the CLC keeps one address record per IP and hands out the rest twice '
                    'in its pool counts)' % (i, text, reach[2], reach[3]), COLLECTION)
        if reach is None or hi > reach[1]:
            reach = (lo, hi, i, text)

    checks = []
    checks.append((_IntervalIndex(list(SPECIAL_BLOCKS)), 'public-special',
                   'is in %s, which can never hold public IPs'))
    if private:
        checks.append((_IntervalIndex(private), 'public-private-overlap',
                       'overlaps the private range %s: the CLC would give the same address to an instance as '
                       'private and as public IP'))
    if managed:
        checks.append((_IntervalIndex([(managed[0], managed[1], 'ManagedSubnet %s-%s' % (
            int_to_ip(managed[0]), int_to_ip(managed[1])))]), 'public-private-overlap',
            'overlaps the private network %s of the MANAGED mode'))
    gw_addresses = []
    for sub in edge_subnets:
        if sub is not None:
            gw_addresses.append((sub['gw'], sub['gw'], '%s.Gateway %s' % (sub['path'], sub['gateway_text'])))
    if mido is not None:
        if mido['form'] == 'legacy' and mido['cidr']:
            lo, hi = _cidr_bounds(mido['cidr'])
            checks.append((_IntervalIndex([(lo, hi, 'Mido.PublicNetworkCidr %s' % mido['cidr_text'])]),
                           'public-uplink-overlap',
                           'lies in %s: that is the uplink network between the gateway host and eucart (seed 000: '
                           'the public IPs are routed to GatewayIP, not on that link), so the address would be '
                           'claimed by both sides of the link'))
        for value, key in sorted(mido.get('addresses', {}).items()):
            gw_addresses.append((value, value, '%s %s' % (key, int_to_ip(value))))
        for gw in mido['gateways']:
            if gw.get('cidr'):
                lo, hi = gw['cidr']
                if hi - lo >= 3:
                    where = '%s.ExternalCidr %s' % (gw['path'], gw['cidr_text'])
                    gw_addresses.append((lo, lo, 'the network address of ' + where))
                    gw_addresses.append((hi, hi, 'the broadcast address of ' + where))
    if gw_addresses:
        checks.append((_IntervalIndex(gw_addresses), 'public-gateway-address',
                       'holds %s: a public IP cannot be an address of the network\'s own routers'))
    for index, rule, text in checks:
        for lo, hi, i, entry in public:
            label = index.first_overlap(lo, hi)
            if label is not None:
                chk.add('PublicIps[%d]' % i, rule, 'PublicIps[%d] "%s" %s' % (i, entry, text % label), COLLECTION)

    if mido is not None and mido['bgp'] and mido['form'] == 'new':
        routes = _merge(r for gw in mido['gateways'] for r in gw.get('routes', ()))
        if routes:
            starts = [r[0] for r in routes]
            for lo, hi, i, entry in public:
                idx = bisect.bisect_right(starts, lo) - 1
                if idx < 0 or routes[idx][1] < hi:
                    chk.add('PublicIps[%d]' % i, 'public-bgp-routes', 'PublicIps[%d] "%s" is not inside the '
                            'BgpAdRoutes of the gateways: with BGP the public IPs must fall inside the union of '
                            'BgpAdRoutes, or no peer routes them to the cloud' % (i, entry), COLLECTION)


def _clusters(chk, doc, known, subnet_names):
    out = []
    values = chk.typed(doc, 'Clusters', 'Clusters')
    names = {}
    for i, cl in enumerate(values or ()):
        path = 'Clusters[%d]' % i
        if not isinstance(cl, dict):
            chk.add(path, 'type', 'Can not bind "%s": expected an object' % path)
            continue
        chk.unknown(cl, known['cluster'], path)
        fields = dict((k, chk.typed(cl, k, '%s.%s' % (path, k))) for k in ('Name', 'MacPrefix'))
        chk.require(fields, 'Name', path + '.Name')
        name = fields['Name']
        if _truthy(name):
            if name in names:
                chk.add(path + '.Name', 'cluster-duplicate', '%s.Name "%s" is also %s.Name: each cluster (zone) '
                        'may be configured once' % (path, name, names[name]), COLLECTION)
            else:
                names[name] = path
        _mac(chk, fields['MacPrefix'], path + '.MacPrefix')
        sub_obj = chk.typed(cl, 'Subnet', path + '.Subnet')
        entry = {'name': name, 'path': path, 'subnet': None, 'subnet_ref': None, 'subnet_error': False,
                 'private': None, 'has_subnet': sub_obj is not None, 'has_private': _truthy(cl.get('PrivateIps'))}
        # (a Subnet object is "true" to the CLC's Groovy even when empty)
        if len(subnet_names) > 1 or sub_obj is not None:
            if sub_obj is None:
                chk.require({}, 'Subnet', path + '.Subnet')
                entry['subnet_error'] = True
            else:
                ref = sub_obj.get('Name')
                others = [k for k in ('Subnet', 'Netmask', 'Gateway') if _truthy(sub_obj.get(k))]
                if ref is not None and _text(ref) in subnet_names and not others:
                    chk.unknown(sub_obj, known['cluster_subnet'], path + '.Subnet')
                    entry['subnet_ref'] = _text(ref)
                else:
                    before = len(chk.violations)
                    entry['subnet'] = _subnet(chk, sub_obj, path + '.Subnet', known['cluster_subnet'])
                    entry['subnet_error'] = entry['subnet'] is None or len(chk.violations) != before
        private = chk.string_list(cl, 'PrivateIps', path + '.PrivateIps')
        if private is not None:
            entry['private'] = _labelled(chk.ranges(private, path + '.PrivateIps'), path + '.PrivateIps')
        out.append(entry)
    return out


def _mac(chk, value, path):
    if _truthy(value) and not MAC_PREFIX.match(value):
        chk.add(path, 'mac-prefix', 'Invalid MAC prefix "%s": "%s"' % (path, value))


def check(document, version):
    """Every violation of the network.json rules of ``version`` (4.1 - 4.4) by ``document`` (a dict
    with the product's PascalCase keys, or its JSON text), as a list of :class:`Violation`."""
    version = normalize_version(version)
    chk = _Checker(version)
    if isinstance(document, string_types):
        try:
            document = json.loads(document)
        except ValueError as exc:
            chk.add('', 'json', 'The document is not JSON: %s' % exc)
            return chk.finish()
    if not isinstance(document, dict):
        chk.add('', 'type', 'The document must be a JSON object (a dict), not %s' % type(document).__name__)
        return chk.finish()
    known = schema(version)
    doc = document
    chk.unknown(doc, known['top'], '')

    # NetworkConfigurationValidator
    public_values = chk.string_list(doc, 'PublicIps', 'PublicIps')
    chk.require(doc, 'PublicIps', 'PublicIps')
    mode = chk.typed(doc, 'Mode', 'Mode')
    if _truthy(mode) and mode not in modes(version):
        chk.add('Mode', 'mode', 'Invalid mode "Mode": "%s"' % mode)
    effective_mode = mode if _truthy(mode) else 'EDGE'
    domain = chk.typed(doc, 'InstanceDnsDomain', 'InstanceDnsDomain')
    if _truthy(domain) and not _valid_domain(domain):
        chk.add('InstanceDnsDomain', 'domain', 'Invalid domain "InstanceDnsDomain": "%s"' % domain)
    for i, server in enumerate(chk.string_list(doc, 'InstanceDnsServers', 'InstanceDnsServers') or ()):
        chk.check_ip(server, 'InstanceDnsServers[%d]' % i)
    _mac(chk, chk.typed(doc, 'MacPrefix', 'MacPrefix'), 'MacPrefix')
    chk.typed(doc, 'PublicGateway', 'PublicGateway')
    public = chk.ranges(public_values, 'PublicIps')
    if public_values is not None and not public_values:
        chk.add('PublicIps', 'public-empty', 'PublicIps is empty: the CLC accepts it, but the cloud then has no '
                'public IP to give an instance, an elastic IP or (VPCMIDO) a default subnet', COLLECTION)
    top_private_values = chk.string_list(doc, 'PrivateIps', 'PrivateIps')
    top_private = _labelled(chk.ranges(top_private_values, 'PrivateIps'), 'PrivateIps') \
        if top_private_values is not None else None

    subnets_raw = chk.typed(doc, 'Subnets', 'Subnets')
    managed_raw = chk.typed(doc, 'ManagedSubnet', 'ManagedSubnet') if 'ManagedSubnet' in known['top'] else None
    mido_raw = chk.typed(doc, 'Mido', 'Mido')
    subnets = []
    managed = None
    mido = None
    is_managed = effective_mode in ('MANAGED', 'MANAGED-NOVLAN')

    if effective_mode == 'VPCMIDO':
        if mido_raw is None:
            chk.require(doc, 'Mido', 'Mido')
        else:
            mido = _mido(chk, mido_raw, known)
    elif effective_mode == 'EDGE':
        for i, sub in enumerate(subnets_raw or ()):
            if not isinstance(sub, dict):
                chk.add('Subnets[%d]' % i, 'type', 'Can not bind "Subnets[%d]": expected an object' % i)
                subnets.append(None)
                continue
            subnets.append(_subnet(chk, sub, 'Subnets[%d]' % i, known['subnet']))
        if _truthy(managed_raw):
            chk.add('ManagedSubnet', 'managed-in-edge', 'Unexpected ManagedSubnet declaration in EDGE mode '
                    '"ManagedSubnet": "%s"' % effective_mode)
    elif is_managed and mode in modes(version):
        if managed_raw is None:
            chk.require(doc, 'ManagedSubnet', 'ManagedSubnet')
        else:
            managed = _managed_subnet(chk, managed_raw, 'ManagedSubnet')
        if _truthy(subnets_raw):
            chk.add('Subnets', 'subnets-in-managed', 'Unexpected Subnets declaration for non-EDGE mode "Subnets": "%s"'
                    % effective_mode)
    if mido_raw is not None and effective_mode != 'VPCMIDO':
        chk.unknown(mido_raw, known['mido'], 'Mido')

    subnet_names = [(s['name'] or s['subnet']) for s in subnets if s is not None]
    if effective_mode == 'EDGE':
        subnet_names = []
        for sub in subnets_raw or ():
            if isinstance(sub, dict):
                subnet_names.append(_text(sub.get('Name') or sub.get('Subnet')))
    clusters = _clusters(chk, doc, known, subnet_names)

    # version / mode rules the CLC does not refuse
    if version == '4.4' and (is_managed or managed_raw is not None):
        chk.add('ManagedSubnet' if managed_raw is not None else 'Mode', 'managed-removed', 'Managed network modes '
                'not supported, network configuration ignored: Eucalyptus 4.4 accepts this document, logs fault '
                '1017 and keeps no network configuration at all (MANAGED and MANAGED-NOVLAN exist in 4.2 and 4.3 '
                'only)', COLLECTION)
    elif managed_raw is not None and effective_mode == 'VPCMIDO':
        chk.add('ManagedSubnet', 'managed-in-vpcmido', 'ManagedSubnet belongs to the MANAGED modes; VPCMIDO '
                'ignores it', COLLECTION)

    # semantic checks after explode
    private = []
    if effective_mode == 'EDGE':
        private = _edge(chk, subnets, clusters, top_private)
    elif effective_mode == 'VPCMIDO':
        for cl in clusters:
            if cl['has_private']:
                chk.add(cl['path'] + '.PrivateIps', 'vpcmido-private', 'Private IP configuration not permitted for '
                        'VPCMIDO.')
            if cl['has_subnet']:
                chk.add(cl['path'] + '.Subnet', 'vpcmido-subnet', 'Subnet configuration not permitted for VPCMIDO.')
        if _truthy(top_private_values):
            chk.add('PrivateIps', 'vpcmido-private', 'Private IP configuration not permitted for VPCMIDO.')
        if _truthy(subnets_raw):
            chk.add('Subnets', 'vpcmido-subnet', 'Subnet configuration not permitted for VPCMIDO.')

    if mido is not None:
        mido['addresses'] = _uplink_rules(chk, mido)
    edge_subnets = []
    if effective_mode == 'EDGE':
        edge_subnets = subnets + [cl['subnet'] for cl in clusters if cl['subnet'] is not None]
    _public_rules(chk, public, private, mido, edge_subnets,
                  managed if is_managed else None)
    return chk.finish()


def violations(document, version):
    """:func:`check` as a list of dicts ``{key, rule, message, source}``."""
    return [v.as_dict() for v in check(document, version)]


def validate(document, version):
    """``document`` unchanged when it keeps every rule of ``version``; else raise
    :class:`NetworkConfigurationError` (its message lists every violation)."""
    found = check(document, version)
    if found:
        raise NetworkConfigurationError(found, normalize_version(version))
    return document
