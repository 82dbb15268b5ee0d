"""Parsers and command builders of both Eucalyptus admin-tool generations, from recorded outputs in
the formats of /work/shared/reference/eucalyptus-admin-tools.md (sections 1.1-1.3, 2.2-2.5, 3, 4.2).

The 4.2+ tables are rendered the way the reference says prettytable renders them for the admin
tools (border=False, header=False, align='l', left_padding_width=0, right_padding_width=2: each cell
padded to its column width + 2, trailing spaces kept), plus the reference's runtime-verified sample.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_tools41 as t41
from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_tools42 as t42
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_admin import PlanError, ToolError


def table(rows):
    """prettytable 0.7.2 with the admin tools' settings (reference 2.5)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ''.join(''.join(c.ljust(w + 2) for c, w in zip(r, widths)) + '\n' for r in rows)


# --- 4.1 euca-describe-services -------------------------------------------------------------

FMT41 = '\t'.join(['%s', '%-18s', '%-10s', '%-21s', '%-8s', '%-4s', '%-35s', '%-35s'])


def line41(*fields):
    return FMT41 % fields


def test_41_services_reference_example():
    text = ('SERVICE\tcluster           \tPARTI00   \tPARTI00-cc-1         \tENABLED \t15  \t'
            'http://10.111.5.182:8774/axis2/services/EucalyptusCC\tarn:euca:eucalyptus:PARTI00:cluster:PARTI00-cc-1/\n')
    assert t41.parse_describe_services(text) == [
        {'name': 'PARTI00-cc-1', 'type': 'cluster', 'zone': 'PARTI00', 'host': '10.111.5.182', 'state': 'enabled'}]


def test_41_services_broken_sc_with_events_and_warning():
    # DOC config_storage_broken_state.dita line (tabs, no padding) + SERVICEEVENT lines
    text = ('warning: No credentials found; attempting local authentication\n'
            'SERVICE\tstorage\tZONE1\tSC71\tBROKEN\t37\thttp://192.168.51.71:8773/services/Storage\t'
            'arn:euca:eucalyptus:ZONE1:storage:SC71/\n'
            'SERVICEEVENT\t6c1f7a70-8b1e-4f77-9d4f-3a1b2c3d4e5f\tarn:euca:eucalyptus:ZONE1:storage:SC71/\n'
            'SERVICEEVENT\t6c1f7a70-8b1e-4f77-9d4f-3a1b2c3d4e5f\tSC blockstorageamanger not configured.\n')
    assert t41.parse_describe_services(text) == [
        {'name': 'SC71', 'type': 'storage', 'zone': 'ZONE1', 'host': '192.168.51.71', 'state': 'broken'}]


def test_41_services_several_types_and_padding():
    text = '\n'.join([
        line41('SERVICE', 'user-api', 'API_135', 'API_135', 'ENABLED', '3',
               'http://10.0.0.135:8773/services/Empyrean', 'arn:euca:user-api:::API_135/'),
        line41('SERVICE', 'walrusbackend', 'walrus-1', 'walrus-1', 'NOTREADY', '2',
               'http://10.0.0.136:8773/services/WalrusBackend', 'arn:euca:walrusbackend:::walrus-1/'),
        line41('SERVICE', 'eucalyptus', 'eucalyptus', '10.0.0.10', 'ENABLED', '1',
               'http://10.0.0.10:8773/services/Eucalyptus', 'arn:euca:eucalyptus:::10.0.0.10/'),
    ]) + '\n'
    got = t41.parse_describe_services(text)
    assert [(s['type'], s['name'], s['zone'], s['host'], s['state']) for s in got] == [
        ('user-api', 'API_135', 'API_135', '10.0.0.135', 'enabled'),
        ('walrusbackend', 'walrus-1', 'walrus-1', '10.0.0.136', 'notready'),
        ('eucalyptus', '10.0.0.10', 'eucalyptus', '10.0.0.10', 'enabled')]


def test_41_services_empty_and_short_lines():
    assert t41.parse_describe_services('') == []
    assert t41.parse_describe_services('SERVICE\tcluster\n') == []     # too few fields: skipped
    # an empty uri cell: host unknown, not a shifted column
    got = t41.parse_describe_services('SERVICE\tcluster\tone\tcc-1\tDISABLED\t0\t\t\n')
    assert got == [{'name': 'cc-1', 'type': 'cluster', 'zone': 'one', 'host': None, 'state': 'disabled'}]


# --- 4.1 euca_conf command lines ------------------------------------------------------------

def test_41_register_commands():
    assert t41.register_cmd('user-api', 'API_1', '10.0.0.1') == [
        'euca_conf', '--register-service', '-T', 'user-api', '-H', '10.0.0.1', '-N', 'API_1']
    assert t41.register_cmd('user-api', 'API_1', '10.0.0.1', port=8773)[-2:] == ['--service-port', '8773']
    assert t41.register_cmd('cluster', 'cc-1', '10.0.0.2', 'one') == [
        'euca_conf', '--register-cluster', '-P', 'one', '-H', '10.0.0.2', '-C', 'cc-1']
    assert t41.register_cmd('cluster', 'cc-1', '10.0.0.2', 'one', 8774)[-2:] == ['--cc-port', '8774']
    assert t41.register_cmd('storage', 'sc-1', '10.0.0.2', 'one')[:2] == ['euca_conf', '--register-sc']
    # walrusbackend: the command line needs -P; the module supplies one (the CLC replaces it by the name)
    assert t41.register_cmd('walrusbackend', 'walrus-1', '10.0.0.3') == [
        'euca_conf', '--register-walrusbackend', '-P', 'walrus-1', '-H', '10.0.0.3', '-C', 'walrus-1']
    with pytest.raises(PlanError, match='port is not supported for type storage'):
        t41.register_cmd('storage', 'sc-1', '10.0.0.2', 'one', 8773)


def test_41_deregister_commands():
    assert t41.deregister_cmd({'name': 'cc-1', 'type': 'cluster', 'zone': 'one'}) == [
        'euca_conf', '--deregister-cluster', '-P', 'one', '-C', 'cc-1']
    assert t41.deregister_cmd({'name': 'sc-1', 'type': 'storage', 'zone': 'one'})[1] == '--deregister-sc'
    assert t41.deregister_cmd({'name': 'API_1', 'type': 'user-api', 'zone': 'API_1'}) == [
        'euca_conf', '--deregister-service', '-N', 'API_1', '-T', 'user-api']


def test_41_error_text():
    assert t41.error_text('error: Component with host=10.0.0.5 already exists with name=cc-1\n', '') == \
        'error: Component with host=10.0.0.5 already exists with name=cc-1'
    assert t41.error_text('error: registration failed\n\nERROR\tunknown type\n', '') == \
        'error: registration failed; ERROR unknown type'
    assert t41.error_text('Error(InvalidParameter): bad\n', '') == 'Error(InvalidParameter): bad'
    assert t41.error_text('Unable to find credentials.\n', '') == 'Unable to find credentials.'
    assert t41.error_text('PROPERTY\ta\tb was c\n', '') == ''


# --- 4.1 properties -------------------------------------------------------------------------

def test_41_properties_prefix_and_multiline_json():
    text = ('PROPERTY\tsystem.dns.dnsdomain\tcloud.example.com\n'
            'PROPERTY\tsystem.dns.dnsdomainxyz\tother\n'
            'PROPERTY\tcloud.network.network_configuration\t{\n'
            '  "Mode": "VPCMIDO",\n'
            '  "InstanceDnsServers": ["10.0.0.1"]\n'
            '}\n'
            'PROPERTY\tobjectstorage.providerclient\t\n'
            'PROPERTY\tone.storage.chapuser\t********\n')
    got = t41.parse_describe_properties(text)
    assert got['system.dns.dnsdomain'] == 'cloud.example.com'
    assert got['system.dns.dnsdomainxyz'] == 'other'
    assert got['cloud.network.network_configuration'] == \
        '{\n  "Mode": "VPCMIDO",\n  "InstanceDnsServers": ["10.0.0.1"]\n}'
    assert got['objectstorage.providerclient'] == ''
    assert got['one.storage.chapuser'] == '********'


def test_41_properties_description_lines_and_raw_trailing_newline():
    text = ('PROPERTY\ta.b\tx\n'
            'DESCRIPTION\ta.b\tsome text\n'
            'PROPERTY\ta.c\tline\n'
            '\n')            # value "line\n" (set raw with -f) + the newline print adds
    got = t41.parse_describe_properties(text)
    assert got == {'a.b': 'x', 'a.c': 'line\n'}
    assert t41.parse_describe_properties('') == {}
    assert t41.parse_describe_properties('PROPERTY\tonly.name\n') == {'only.name': ''}


def test_41_property_commands():
    assert t41.describe_properties_cmd(['b', 'a']) == ['euca-describe-properties', 'a', 'b']
    assert t41.modify_property_cmd('a.b', 'x=y') == ['euca-modify-property', '-p', 'a.b=x=y']
    assert t41.modify_property_cmd('n', src='/etc/eucalyptus/network.json') == [
        'euca-modify-property', '-f', 'n=/etc/eucalyptus/network.json']


def test_41_nodes_commands():
    assert t41.register_nodes_cmd(['10.0.0.7', '10.0.0.8']) == ['euca_conf', '--register-nodes', '10.0.0.7 10.0.0.8']
    assert t41.register_nodes_cmd(['10.0.0.7'], copy_keys=False) == [
        'euca_conf', '--register-nodes', '10.0.0.7', '--no-scp', '--no-rsync', '--no-sync']
    assert t41.deregister_nodes_cmd(['10.0.0.7']) == ['euca_conf', '--deregister-nodes', '10.0.0.7']
    out = ('INFO: We expect all nodes to have eucalyptus installed in / for key synchronization.\n'
           'warning: ERROR: could not synchronize keys with 10.0.0.8\n...done\n')
    assert t41.key_sync_failures(out, '') == ['10.0.0.8']
    assert t41.key_sync_failures('...done\n', '') == []


# --- 4.2+ euserv-describe-services ----------------------------------------------------------

def test_42_reference_runtime_sample():
    text = 'SERVICE  cluster   one  cc-10.111.5.182   enabled  \nSERVICE  storage   one  sc-10.111.5.182   broken   \n'
    assert t42.parse_services_by_type(text) == [
        {'name': 'cc-10.111.5.182', 'type': 'cluster', 'zone': 'one', 'host': None, 'state': 'enabled'},
        {'name': 'sc-10.111.5.182', 'type': 'storage', 'zone': 'one', 'host': None, 'state': 'broken'}]


def test_42_header_nil_and_join():
    by_type = table([['SERVICE', 'TYPE', 'ZONE', 'NAME', 'STATE'],
                     ['SERVICE', 'cluster', 'one', 'cc-1', 'enabled'],
                     ['SERVICE', 'user-api', 'API_1', 'API_1', 'notready'],
                     ['SERVICE', 'walrusbackend', '(nil)', 'walrus-1', 'broken']])
    by_host = table([['SERVICE', 'HOST', 'TYPE', 'NAME', 'STATE'],
                     ['SERVICE', '10.0.0.1', 'user-api', 'API_1', 'notready'],
                     ['SERVICE', '10.0.0.2', 'cluster', 'cc-1', 'enabled'],
                     ['SERVICE', '(nil)', 'walrusbackend', 'walrus-1', 'broken']])
    joined = t42.join_services(t42.parse_services_by_type(by_type), t42.parse_services_by_host(by_host))
    assert joined == [
        {'name': 'cc-1', 'type': 'cluster', 'zone': 'one', 'host': '10.0.0.2', 'state': 'enabled'},
        {'name': 'API_1', 'type': 'user-api', 'zone': 'API_1', 'host': '10.0.0.1', 'state': 'notready'},
        {'name': 'walrus-1', 'type': 'walrusbackend', 'zone': None, 'host': None, 'state': 'broken'}]


def test_42_same_name_other_type_joined_by_type_and_name():
    # the docs' objectstorage row shares the user-api zone; join is on (type, name)
    by_type = table([['SERVICE', 'objectstorage', 'user-api-1', 'user-api-1.objectstorage', 'broken'],
                     ['SERVICE', 'user-api', 'user-api-1', 'user-api-1', 'enabled']])
    by_host = table([['SERVICE', '10.0.0.9', 'user-api', 'user-api-1', 'enabled'],
                     ['SERVICE', '10.0.0.9', 'objectstorage', 'user-api-1.objectstorage', 'broken']])
    got = t42.join_services(t42.parse_services_by_type(by_type), t42.parse_services_by_host(by_host))
    assert [(s['type'], s['host'], s['state']) for s in got] == [
        ('objectstorage', '10.0.0.9', 'broken'), ('user-api', '10.0.0.9', 'enabled')]


def test_42_empty_cell_without_nil_and_unparseable():
    # without --show-empty-fields an empty zone vanishes: three cells are read as "no zone"
    got = t42.parse_services_by_type('SERVICE  eucalyptus  10.0.0.1  enabled  \n')
    assert got == [{'name': '10.0.0.1', 'type': 'eucalyptus', 'zone': None, 'host': None, 'state': 'enabled'}]
    with pytest.raises(ToolError, match='cannot parse'):
        t42.parse_services_by_type('SERVICE  a  b  c  d  e  \n')
    with pytest.raises(ToolError, match='cannot parse'):
        t42.parse_services_by_host('SERVICE  a  \n')
    assert t42.parse_services_by_type('') == []
    assert t42.parse_services_by_type('\n\n') == []


def test_42_ansi_colours_stripped():
    text = 'SERVICE  cluster  one  cc-1  \x1b[32menabled\x1b[0m  \n'
    assert t42.parse_services_by_type(text)[0]['state'] == 'enabled'


def test_42_service_commands():
    assert t42.describe_services_cmd() == ['euserv-describe-services', '--show-empty-fields']
    assert t42.describe_services_cmd(by_host=True) == ['euserv-describe-services', '--show-empty-fields',
                                                       '--group-by-host']
    assert t42.register_cmd('cluster', 'cc-1', '10.0.0.2', 'one') == [
        'euserv-register-service', '-t', 'cluster', '-h', '10.0.0.2', '-z', 'one', 'cc-1']
    assert t42.register_cmd('user-api', 'API_1', '10.0.0.1', None, 8773) == [
        'euserv-register-service', '-t', 'user-api', '-h', '10.0.0.1', '--port', '8773', 'API_1']
    # deregister takes only the name (no -t, reference 2.3)
    assert t42.deregister_cmd({'name': 'cc-1', 'type': 'cluster'}) == ['euserv-deregister-service', 'cc-1']


def test_42_error_text():
    err = 'euserv-describe-services: error: [Errno 111] Connection refused\n'
    assert t42.error_text('euserv-describe-services', '', err) == \
        'euserv-describe-services: error: [Errno 111] Connection refused'
    err = 'euctl: error (ModifyPropertyValueType): Failed to set property: No such property: a.b\n'
    assert 'No such property: a.b' in t42.error_text('euctl', '', err)
    assert t42.error_text('x', 'one\ntwo\nthree\nfour\n', '') == 'two; three; four'


# --- euctl ----------------------------------------------------------------------------------

def test_euctl_prefix_output_exact_names():
    text = ('bootstrap.webservices.port = 8773\n'
            'bootstrap.webservices.port_extra = 1\n'
            'system.dns.dnsdomain = cloud.example.com\n'
            'objectstorage.providerclient = \n'
            'authentication.x =\n'
            'a.b = x = y\n')
    got = t42.parse_euctl(text)
    assert got['bootstrap.webservices.port'] == '8773'
    assert got['bootstrap.webservices.port_extra'] == '1'
    assert got['objectstorage.providerclient'] == ''
    assert got['authentication.x'] == ''
    assert got['a.b'] == 'x = y'
    assert t42.parse_euctl('') == {}


def test_euctl_multiline_value_continues():
    got = t42.parse_euctl('a.b = first\nsecond\nc.d = 1\n')
    assert got == {'a.b': 'first\nsecond', 'c.d': '1'}


def test_euctl_dump_raw():
    raw = '{\n  "Mode": "VPCMIDO"\n}\n'
    assert t42.parse_dump(raw) == '{\n  "Mode": "VPCMIDO"\n}'
    assert t42.parse_dump('') == ''


def test_euctl_commands():
    assert t42.euctl_get_cmd(['b', 'a']) == ['euctl', 'a', 'b']
    assert t42.euctl_dump_cmd('cloud.network.network_configuration') == [
        'euctl', '--dump', '--format', 'raw', 'cloud.network.network_configuration']
    assert t42.euctl_set_cmd('a.b', 'x=y') == ['euctl', 'a.b=x=y']
    assert t42.euctl_set_cmd('a.b', '') == ['euctl', 'a.b=']
    assert t42.euctl_set_cmd('n', src='/tmp/n.json') == ['euctl', 'n=@/tmp/n.json']
    with pytest.raises(PlanError, match='starts with "@"'):
        t42.euctl_set_cmd('a.b', '@/etc/passwd')


# --- clcadmin-assume-system-credentials -----------------------------------------------------

CREDS = '''export AWS_IAM_URL=http://127.0.0.1:8773/services/Euare;
export EUCA_BOOTSTRAP_URL=http://127.0.0.1:8773/services/Empyrean;
export EUCA_PROPERTIES_URL=http://127.0.0.1:8773/services/Properties;
export AWS_ACCESS_KEY_ID="AKIAEXAMPLEKEY0000001";
export AWS_ACCESS_KEY="AKIAEXAMPLEKEY0000001";
export EC2_ACCESS_KEY="AKIAEXAMPLEKEY0000001";
export AWS_SECRET_ACCESS_KEY="s3cr3t/Example+Secret0000000000000000000";
export AWS_SECRET_KEY="s3cr3t/Example+Secret0000000000000000000";
export EC2_SECRET_KEY="s3cr3t/Example+Secret0000000000000000000";
unset AWS_CREDENTIAL_FILE;
unset AWS_SESSION_TOKEN;
unset AWS_SECURITY_TOKEN;
unset EC2_USER_ID;
# If you can read this, rather than simply copying and pasting it into your shell,
# you probably want to run it through eval: eval `clcadmin-assume-system-credentials`
'''


def test_credentials_parse():
    exports, unsets = t42.parse_credentials(CREDS)
    assert exports['AWS_ACCESS_KEY_ID'] == 'AKIAEXAMPLEKEY0000001'
    assert exports['AWS_SECRET_ACCESS_KEY'] == 's3cr3t/Example+Secret0000000000000000000'
    assert exports['EUCA_PROPERTIES_URL'] == 'http://127.0.0.1:8773/services/Properties'
    assert len(exports) == 9
    assert unsets == ['AWS_CREDENTIAL_FILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'EC2_USER_ID']
    assert t42.parse_credentials('') == ({}, [])


def test_nodes_commands_42():
    assert t42.register_nodes_cmd(['10.0.0.7', '10.0.0.8']) == ['clusteradmin-register-nodes', '10.0.0.7', '10.0.0.8']
    assert t42.deregister_nodes_cmd(['10.0.0.7']) == ['clusteradmin-deregister-nodes', '10.0.0.7']
    assert t42.copy_keys_cmd(['10.0.0.7']) == ['clusteradmin-copy-keys', '10.0.0.7']


@pytest.mark.parametrize('uri,host', [
    ('http://10.111.5.182:8774/axis2/services/EucalyptusCC', '10.111.5.182'),
    ('http://192.168.51.71:8773/services/Storage', '192.168.51.71'),
    ('http://10.0.0.1/services/Empyrean', '10.0.0.1'),
    ('https://user:pw@10.0.0.9:8443/x', '10.0.0.9'),
    ('', None),
    ('(nil)', None),
    ('http:///path', None),
])
def test_41_host_of_uri(uri, host):
    assert t41.host_of_uri(uri) == host
