"""The euca_* module bodies (plugins/module_utils/euca_modules.py) over a scripted AnsibleModule:
every tool call answers with a recorded output in the reference's format, and the tests assert
which command lines were run, in which order, and what the module returned or refused.

These are unit tests of the glue (read once, plan, write, read back); the modules against the
lab's stand-in tools are in tests/integration/euca/.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_modules as em
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_runner import DEFAULT_EUCARC

SECRET = 's3cr3t/Example+Secret0000000000000000000'
KEY = 'AKIAEXAMPLEKEY0000001'
CREDS = ('export EUCA_BOOTSTRAP_URL=http://127.0.0.1:8773/services/Empyrean;\n'
         'export EUCA_PROPERTIES_URL=http://127.0.0.1:8773/services/Properties;\n'
         'export AWS_ACCESS_KEY_ID="%s";\nexport AWS_SECRET_ACCESS_KEY="%s";\n'
         'unset AWS_SESSION_TOKEN;\n' % (KEY, SECRET))


class Exit(Exception):
    def __init__(self, failed, result):
        super(Exit, self).__init__(result.get('msg'))
        self.failed = failed
        self.result = result


class FakeModule(object):
    def __init__(self, params, answers, tools=(), check=False, diff=False):
        self.params = dict(tools='auto', eucarc=DEFAULT_EUCARC)
        self.params.update(params)
        self.check_mode = check
        self._diff = diff
        self.no_log_values = set()
        self.available = set(tools)
        self.answers = answers      # callable(argv, env) -> (rc, out, err)
        self.calls = []

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return '/usr/sbin/' + name if name in self.available else None

    def run_command(self, cmd, environ_update=None, data=None, binary_data=False):
        if cmd[0] == '/bin/bash':
            assert cmd[3:5] == ['euca-eucarc', self.params['eucarc']]
            cmd = cmd[5:]
        argv = [os.path.basename(cmd[0])] + list(cmd[1:])
        self.calls.append((argv, dict(environ_update or {})))
        return self.answers(argv, environ_update or {})

    def exit_json(self, **kw):
        raise Exit(False, kw)

    def fail_json(self, **kw):
        raise Exit(True, kw)


def run(fn, module):
    with pytest.raises(Exit) as err:
        fn(module)
    return err.value


def table(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ''.join(''.join(c.ljust(w + 2) for c, w in zip(r, widths)) + '\n' for r in rows)


class Cloud42(object):
    """Recorded euserv/euctl answers over a list of (type, zone, name, host, state)."""

    TOOLS = ('euserv-describe-services', 'euserv-register-service', 'euserv-deregister-service',
             'euctl', 'clcadmin-assume-system-credentials')

    def __init__(self, services, register_takes=True, states=None):
        self.services = list(services)
        self.register_takes = register_takes
        self.states = list(states or [])

    def __call__(self, argv, env):
        tool = argv[0]
        if tool == 'clcadmin-assume-system-credentials':
            return 0, CREDS, ''
        assert env.get('AWS_SECRET_ACCESS_KEY') == SECRET and SECRET not in ' '.join(argv)
        if tool == 'euserv-describe-services':
            assert '--show-empty-fields' in argv
            if self.states and self.services:
                t, z, n, h = self.services[-1][:4]
                self.services[-1] = (t, z, n, h, self.states.pop(0))
            if '--group-by-host' in argv:
                rows = [['SERVICE', h, t, n, s] for t, z, n, h, s in self.services]
            else:
                rows = [['SERVICE', t, z, n, s] for t, z, n, h, s in self.services]
            return 0, table(rows) if rows else '', ''
        if tool == 'euserv-register-service':
            if self.register_takes:
                t, h, name = argv[2], argv[4], argv[-1]
                z = argv[6] if '-z' in argv else name
                self.services.append((t, z, name, h, 'notready'))
            return 0, '', ''          # success and refusal look the same (reference 2.2)
        if tool == 'euserv-deregister-service':
            self.services = [s for s in self.services if s[2] != argv[1]]
            return 0, '', ''
        raise AssertionError(argv)


CC = ('cluster', 'one', 'cc-1', '10.0.0.2', 'enabled')


def service_module(cloud, check=False, diff=False, **params):
    base = dict(name='cc-2', type='cluster', host='10.0.0.4', zone='two', port=None, state='present',
                wait=True, wait_states=['enabled'], wait_timeout=5)
    base.update(params)
    return FakeModule(base, cloud, tools=Cloud42.TOOLS, check=check, diff=diff)


@pytest.fixture(autouse=True)
def no_aws_env(monkeypatch, tmp_path):
    for key in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION'):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv('EUCALYPTUS', str(tmp_path))
    monkeypatch.setattr(em, 'WAIT_SLEEP', 0.05)


def test_register_42_reads_back_and_waits():
    cloud = Cloud42([CC], states=[])
    mod = service_module(cloud, diff=True)
    cloud.states = []   # after registration the stand-in reports notready, then enabled
    orig = cloud.__call__

    def answers(argv, env):
        if argv[0] == 'euserv-describe-services' and len(cloud.services) == 2 and not cloud.states:
            cloud.states = ['notready', 'enabled']
        return orig(argv, env)
    mod.answers = answers
    out = run(em.run_service, mod)
    assert not out.failed, out.result
    r = out.result
    assert r['changed'] is True and r['tools'] == 'euserv'
    assert r['service'] == {'name': 'cc-2', 'type': 'cluster', 'zone': 'two', 'host': '10.0.0.4', 'state': 'enabled'}
    assert r['diff'] == {'before': {}, 'after': {'name': 'cc-2', 'type': 'cluster', 'zone': 'two', 'host': '10.0.0.4'}}
    argvs = [c[0] for c in mod.calls]
    assert argvs[0] == ['clcadmin-assume-system-credentials']
    assert ['euserv-register-service', '-t', 'cluster', '-h', '10.0.0.4', '-z', 'two', 'cc-2'] in argvs
    assert SECRET in mod.no_log_values and KEY in mod.no_log_values
    assert SECRET not in json.dumps(r)


def test_register_refused_silently_fails_with_read_back():
    cloud = Cloud42([CC], register_takes=False)
    out = run(em.run_service, service_module(cloud))
    assert out.failed
    assert 'the CLC did not register cluster cc-2 at 10.0.0.4 in zone two' in out.result['msg']
    assert 'it is not listed' in out.result['msg']


def test_idempotent_makes_no_write():
    mod = service_module(Cloud42([CC]), name='cc-1', host='10.0.0.2', zone='one')
    out = run(em.run_service, mod)
    assert not out.failed and out.result['changed'] is False
    assert out.result['service']['state'] == 'enabled'
    assert not [c for c in mod.calls if c[0][0] != 'euserv-describe-services' and 'assume' not in c[0][0]]


def test_conflicting_host_refused_before_any_write():
    mod = service_module(Cloud42([CC]), name='cc-1', host='10.0.0.9', zone='one')
    out = run(em.run_service, mod)
    assert out.failed and 'already registered with host 10.0.0.2 (wanted 10.0.0.9)' in out.result['msg']
    assert not [c for c in mod.calls if 'register' in c[0][0]]


def test_check_mode_no_write():
    mod = service_module(Cloud42([CC]), check=True, diff=True)
    out = run(em.run_service, mod)
    assert out.result['changed'] is True and out.result['service']['state'] is None
    assert not [c for c in mod.calls if 'register' in c[0][0]]


def test_absent_and_absent_again():
    cloud = Cloud42([CC])
    out = run(em.run_service, service_module(cloud, name='cc-1', type=None, host=None, zone=None, state='absent'))
    assert out.result['changed'] is True and out.result['service'] is None and cloud.services == []
    out = run(em.run_service, service_module(cloud, name='cc-1', type=None, host=None, zone=None, state='absent'))
    assert out.result['changed'] is False


def test_wait_timeout_reports_state_and_log(tmp_path):
    logdir = tmp_path / 'var' / 'log' / 'eucalyptus'
    logdir.mkdir(parents=True)
    (logdir / 'cloud-output.log').write_text(u''.join(u'line %d\n' % i for i in range(50)))
    sc = ('storage', 'one', 'sc-1', '10.0.0.2', 'broken')
    out = run(em.run_service, service_module(Cloud42([CC, sc]), name='sc-1', type='storage', host='10.0.0.2',
                                             zone='one', wait_timeout=0))
    assert out.failed
    assert 'did not reach enabled within 0s; last state seen: broken' in out.result['msg']
    assert out.result['msg'].endswith('line 49') and 'line 29' not in out.result['msg']
    out = run(em.run_service, service_module(Cloud42([CC, sc]), name='sc-1', type='storage', host='10.0.0.2',
                                             zone='one', wait_states=['enabled', 'broken']))
    assert not out.failed and out.result['service']['state'] == 'broken'


def test_clc_down_fails_with_the_tool_message():
    def answers(argv, env):
        if argv[0] == 'clcadmin-assume-system-credentials':
            return 1, '', ('clcadmin-assume-system-credentials: failed to obtain access keys; ensure '
                           'eucalyptus-cloud has finished starting\n')
        raise AssertionError(argv)
    mod = FakeModule(dict(type=None, name=None), answers, tools=Cloud42.TOOLS)
    out = run(em.run_service_info, mod)
    assert out.failed and 'ensure eucalyptus-cloud has finished starting' in out.result['msg']


def test_credentials_from_environment_are_used(monkeypatch):
    monkeypatch.setenv('AWS_ACCESS_KEY_ID', KEY)
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', SECRET)
    seen = []

    def answers(argv, env):
        seen.append(argv[0])
        return 0, table([['SERVICE', 'cluster', 'one', 'cc-1', 'enabled']]) if '--group-by-host' not in argv \
            else table([['SERVICE', '10.0.0.2', 'cluster', 'cc-1', 'enabled']]), ''
    out = run(em.run_service_info, FakeModule(dict(type=['cluster'], name=None), answers, tools=Cloud42.TOOLS))
    assert 'clcadmin-assume-system-credentials' not in seen
    assert out.result['services'] == [{'name': 'cc-1', 'type': 'cluster', 'zone': 'one', 'host': '10.0.0.2',
                                       'state': 'enabled'}]


# --- 4.1 services ----------------------------------------------------------------------------

def test_register_41_error_exit_1():
    def answers(argv, env):
        if argv[0] == 'euca-describe-services':
            return 0, ('SERVICE\tcluster\tone\tcc-1\tENABLED\t1\thttp://10.0.0.2:8774/axis2/services/EucalyptusCC\t'
                       'arn:euca:eucalyptus:one:cluster:cc-1/\n'), ''
        if argv[0] == 'euca_conf':
            assert argv[1:] == ['--register-cluster', '-P', 'two', '-H', '10.0.0.4', '-C', 'cc-2']
            return 1, 'error: Component with host=10.0.0.4 already exists with name=x\n', ''
        raise AssertionError(argv)
    mod = FakeModule(dict(name='cc-2', type='cluster', host='10.0.0.4', zone='two', port=None, state='present',
                          wait=True, wait_states=['enabled'], wait_timeout=5), answers,
                     tools=('euca_conf', 'euca-describe-services'))
    out = run(em.run_service, mod)
    assert out.failed and out.result['tools'] == 'euca_conf'
    assert 'Component with host=10.0.0.4 already exists' in out.result['msg']


# --- properties ------------------------------------------------------------------------------

NET = {'Mode': 'VPCMIDO', 'PublicIps': ['10.0.1.10-10.0.1.20']}
NETNAME = 'cloud.network.network_configuration'


class Props42(object):
    def __init__(self, props):
        self.props = dict(props)

    def __call__(self, argv, env):
        if argv[0] == 'clcadmin-assume-system-credentials':
            return 0, CREDS, ''
        assert argv[0] == 'euctl'
        if argv[1] == '--dump':
            return 0, self.props.get(argv[-1], '') + '\n', ''
        items = argv[1:]
        if len(items) == 1 and '=' in items[0]:
            name, value = items[0].split('=', 1)
            if name not in self.props:
                return 1, '', 'euctl: error (ModifyPropertyValueType): Failed to set property: No such property: %s\n' % name
            if name != 'ro.prop':
                self.props[name] = open(value[1:]).read().strip() if value.startswith('@') else value
            return 0, '', ''
        lines = ['%s = %s' % (k, v) for k, v in sorted(self.props.items())
                 if k != NETNAME and any(k.startswith(i) for i in items)]
        return 0, ''.join(line + '\n' for line in lines), ''


def prop_module(cloud, check=False, diff=False, **params):
    base = dict(properties=None, name=None, value=None, src=None)
    base.update(params)
    return FakeModule(base, cloud, tools=Cloud42.TOOLS, check=check, diff=diff)


def test_properties_one_read_one_write_per_difference():
    cloud = Props42({'a.b': 'x', 'a.bc': 'prefix', 'c.d': '1', NETNAME: json.dumps(NET, indent=4)})
    mod = prop_module(cloud, diff=True, properties={'a.b': 'x', 'c.d': 2, NETNAME: NET})
    out = run(em.run_property, mod)
    assert not out.failed, out.result
    assert out.result['changed_properties'] == {'c.d': {'before': '1', 'after': '2'}}
    assert out.result['diff'] == {'before': {'c.d': '1'}, 'after': {'c.d': '2'}}
    argvs = [c[0] for c in mod.calls]
    assert argvs == [['clcadmin-assume-system-credentials'], ['euctl', 'a.b', 'c.d'],
                     ['euctl', '--dump', '--format', 'raw', NETNAME], ['euctl', 'c.d=2'], ['euctl', 'c.d']]
    assert out.result['commands'][3] == 'euctl c.d=...'


def test_unknown_property_fails_before_writes():
    cloud = Props42({'a.b': 'x', 'a.bc': 'y'})
    mod = prop_module(cloud, properties={'a.b': 'new', 'a.bcd': 'z', 'zz': '1'})
    out = run(em.run_property, mod)
    assert out.failed and out.result['msg'] == 'unknown properties: a.bcd, zz'
    assert not [c for c in mod.calls if any('=' in a for a in c[0][1:])]
    assert cloud.props['a.b'] == 'x'


def test_json_src_stripped_and_unchanged_when_reformatted(tmp_path):
    src = tmp_path / 'network.json'
    src.write_text(u'\n' + json.dumps(NET, indent=8, sort_keys=True) + u'\n\n')
    cloud = Props42({NETNAME: json.dumps(NET)})
    out = run(em.run_property, prop_module(cloud, name=NETNAME, src=str(src)))
    assert not out.failed and out.result['changed'] is False
    src.write_text(json.dumps(dict(NET, Mode='EDGE')))
    mod = prop_module(cloud, name=NETNAME, src=str(src))
    out = run(em.run_property, mod)
    assert out.result['changed'] is True
    assert ['euctl', '%s=@%s' % (NETNAME, src)] in [c[0] for c in mod.calls]
    assert json.loads(cloud.props[NETNAME])['Mode'] == 'EDGE'


def test_read_only_property_ignored_by_clc_fails():
    cloud = Props42({'ro.prop': 'old'})
    out = run(em.run_property, prop_module(cloud, name='ro.prop', value='new'))
    assert out.failed and 'did not take the new value of ro.prop' in out.result['msg']


def test_property_check_mode():
    cloud = Props42({'a.b': 'x'})
    mod = prop_module(cloud, check=True, properties={'a.b': 'y'})
    out = run(em.run_property, mod)
    assert out.result['changed'] is True and cloud.props['a.b'] == 'x'
    assert out.result['changed_properties'] == {'a.b': {'before': 'x', 'after': 'y'}}


def test_property_41_raw_src_and_eucarc(tmp_path):
    src = tmp_path / 'v.txt'
    src.write_text(u'value\n')
    props = {'a.b': 'value'}

    def answers(argv, env):
        if argv[0] == 'euca-describe-properties':
            return 0, ''.join('PROPERTY\t%s\t%s\n' % kv for kv in sorted(props.items())), ''
        assert argv[:2] == ['euca-modify-property', '-f']
        name, path = argv[2].split('=', 1)
        old, props[name] = props[name], open(path).read()
        return 0, 'PROPERTY\t%s\t%s was %s\n' % (name, props[name], old), ''
    mod = FakeModule(dict(properties=None, name='a.b', value=None, src=str(src), eucarc='/tmp/eucarc'), answers,
                     tools=('euca_conf', 'euca-describe-properties', 'euca-modify-property'))
    out = run(em.run_property, mod)     # raw: "value\n" differs from "value"
    assert not out.failed, out.result
    assert out.result['changed_properties'] == {'a.b': {'before': 'value', 'after': 'value\n'}}
    out = run(em.run_property, mod)
    assert out.result['changed'] is False


# --- nodes -----------------------------------------------------------------------------------

def write_conf(tmp_path, nodes_line):
    conf = tmp_path / 'etc' / 'eucalyptus'
    conf.mkdir(parents=True, exist_ok=True)
    (conf / 'eucalyptus.conf').write_text(u'CC_PORT="8774"\n%s\nVNET_MODE="VPCMIDO"\n' % nodes_line)
    return conf / 'eucalyptus.conf'


class Nodes42(object):
    def __init__(self, conf, obey=True):
        self.conf = conf
        self.obey = obey

    def __call__(self, argv, env):
        assert 'AWS_SECRET_ACCESS_KEY' not in env     # no credentials needed (reference 4.5)
        text = self.conf.read_text()
        line = [ln for ln in text.splitlines() if ln.startswith('NODES=')][0]
        nodes = set(line[6:].strip('"').split())
        if argv[0] == 'clusteradmin-register-nodes' and self.obey:
            nodes |= set(argv[1:])
        elif argv[0] == 'clusteradmin-deregister-nodes' and self.obey:
            nodes -= set(argv[1:])
        elif argv[0] == 'clusteradmin-copy-keys':
            return 0, '', ''
        self.conf.write_text(text.replace(line, 'NODES="%s"' % ' '.join(nodes)))
        return 0, '', ''


def nodes_module(cloud, check=False, diff=False, **params):
    base = dict(nodes=[], state='present', purge=False, copy_keys=True)
    base.update(params)
    return FakeModule(base, cloud, tools=NODE_TOOLS, check=check, diff=diff)


NODE_TOOLS = ('clusteradmin-register-nodes', 'clusteradmin-deregister-nodes', 'clusteradmin-copy-keys')


def test_nodes_add_copy_keys_only_to_added(tmp_path):
    conf = write_conf(tmp_path, 'NODES="10.0.0.7"')
    mod = nodes_module(Nodes42(conf), diff=True, nodes=['10.0.0.8', '10.0.0.7'])
    out = run(em.run_nodes, mod)
    assert not out.failed, out.result
    assert out.result['added'] == ['10.0.0.8'] and out.result['removed'] == []
    assert out.result['nodes'] == ['10.0.0.7', '10.0.0.8']
    assert [c[0] for c in mod.calls] == [['clusteradmin-register-nodes', '10.0.0.8'],
                                         ['clusteradmin-copy-keys', '10.0.0.8']]
    # same set in another order: nothing
    mod = nodes_module(Nodes42(conf), nodes=['10.0.0.7', '10.0.0.8'])
    out = run(em.run_nodes, mod)
    assert out.result['changed'] is False and mod.calls == []


def test_nodes_purge_absent_check(tmp_path):
    conf = write_conf(tmp_path, 'NODES="10.0.0.7 10.0.0.8 10.0.0.9"')
    out = run(em.run_nodes, nodes_module(Nodes42(conf), check=True, nodes=['10.0.0.9'], purge=True))
    assert out.result['removed'] == ['10.0.0.7', '10.0.0.8'] and 'NODES="10.0.0.7 10.0.0.8 10.0.0.9"' in conf.read_text()
    mod = nodes_module(Nodes42(conf), nodes=['10.0.0.9'], purge=True)
    out = run(em.run_nodes, mod)
    assert out.result['nodes'] == ['10.0.0.9'] and [c[0][0] for c in mod.calls] == ['clusteradmin-deregister-nodes']
    out = run(em.run_nodes, nodes_module(Nodes42(conf), nodes=['10.0.0.9', '10.0.0.1'], state='absent'))
    assert out.result['removed'] == ['10.0.0.9'] and out.result['nodes'] == []


def test_nodes_tool_exit_0_without_change_fails(tmp_path):
    conf = write_conf(tmp_path, 'NODES=""')
    mod = nodes_module(Nodes42(conf, obey=False), nodes=['10.0.0.8'])
    out = run(em.run_nodes, mod)
    assert out.failed and 'after the change, expected 10.0.0.8' in out.result['msg']
    assert 'clusteradmin-copy-keys' not in [c[0][0] for c in mod.calls]


def test_nodes_missing_tool_refused_before_change(tmp_path):
    conf = write_conf(tmp_path, 'NODES=""')
    mod = nodes_module(Nodes42(conf), nodes=['10.0.0.8'])
    mod.available = set(['clusteradmin-register-nodes'])
    out = run(em.run_nodes, mod)
    assert out.failed and 'clusteradmin-copy-keys not found' in out.result['msg'] and mod.calls == []


def test_nodes_refused_before_change(tmp_path):
    conf = write_conf(tmp_path, '#NODES=""')
    out = run(em.run_nodes, nodes_module(Nodes42(conf), nodes=['10.0.0.8']))
    assert out.failed and 'has no NODES= line' in out.result['msg']
    out = run(em.run_nodes, nodes_module(Nodes42(conf), nodes=['nc1']))
    assert out.failed and 'IPv4' in out.result['msg']


def test_nodes_41_sync_failure(tmp_path):
    conf = write_conf(tmp_path, 'NODES=""')

    def answers(argv, env):
        assert argv[:2] == ['euca_conf', '--register-nodes']
        conf.write_text(conf.read_text().replace('NODES=""', 'NODES="%s"' % argv[2]))
        return 0, 'warning: ERROR: could not synchronize keys with 10.0.0.8\n...done\n', ''
    mod = FakeModule(dict(nodes=['10.0.0.8'], state='present', purge=False, copy_keys=True), answers,
                     tools=('euca_conf',))
    out = run(em.run_nodes, mod)
    assert out.failed and 'could not copy the keys to 10.0.0.8' in out.result['msg']
    assert out.result['nodes'] == ['10.0.0.8'] and out.result['changed'] is True


def test_secret_property_values_join_no_log():
    cloud = Props42({'objectstorage.s3provider.s3secretkey': 'oldsecretvalue', 'a.b': 'x'})
    mod = prop_module(cloud, properties={'objectstorage.s3provider.s3secretkey': 'newsecretvalue', 'a.b': 'x'})
    out = run(em.run_property, mod)
    assert not out.failed and out.result['changed'] is True
    assert {'oldsecretvalue', 'newsecretvalue'} <= mod.no_log_values
    assert 'x' not in mod.no_log_values
