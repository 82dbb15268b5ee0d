# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bodies of the euca_service, euca_service_info, euca_property and euca_nodes modules.

Each reads state once through the runner (``euca_runner``) and the parsers of its generation
(``euca_tools41`` / ``euca_tools42``), asks a planner (``euca_admin``) what to do, applies it with
the fewest tool calls and reads the state back after every write: the 4.2+ tools exit 0 when
the CLC refused (admin-tools reference 2.2, 2.3, 4.5), so only the read-back decides.
Valid on Python 2.7 and 3.6+.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import time

from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_admin as ea
from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_tools41 as t41
from ansible_collections.eucalyptus.cloud.plugins.module_utils import euca_tools42 as t42
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_admin import PlanError, ToolError
from ansible_collections.eucalyptus.cloud.plugins.module_utils.euca_runner import (
    EucaRunner, eucalyptus_path, tail_cloud_log)

WAIT_SLEEP = 3
CONF = 'etc/eucalyptus/eucalyptus.conf'


def _tools(gen):
    return t41 if gen == '41' else t42


def _runner(module, **kwargs):
    return EucaRunner(module, tools=module.params['tools'], eucarc=module.params['eucarc'], **kwargs)


def _fail(module, runner, msg, **extra):
    if runner is not None:
        extra.setdefault('commands', runner.commands)
        extra.setdefault('tools', runner.tools)
    module.fail_json(msg=msg, **extra)


# ---------------------------------------------------------------------------------------------
# services
# ---------------------------------------------------------------------------------------------

def read_services(runner):
    """Every service of the default listing as ``{name, type, zone, host, state}``."""
    if runner.generation == '41':
        return t41.parse_describe_services(runner.run(t41.describe_services_cmd())[1])
    by_type = t42.parse_services_by_type(runner.run(t42.describe_services_cmd())[1])
    by_host = t42.parse_services_by_host(runner.run(t42.describe_services_cmd(by_host=True))[1])
    return t42.join_services(by_type, by_host)


def _read_state(runner, name):
    """State of service ``name`` (one describe call on 4.2+: the default table has the state)."""
    if runner.generation == '41':
        services = t41.parse_describe_services(runner.run(t41.describe_services_cmd())[1])
    else:
        services = t42.parse_services_by_type(runner.run(t42.describe_services_cmd())[1])
    svc = ea.find_service(services, name)
    return svc.get('state') if svc else None


def _svc_view(svc):
    if svc is None:
        return {}
    return dict((k, svc.get(k)) for k in ('name', 'type', 'zone', 'host'))


def run_service_info(module):
    runner = None
    try:
        runner = _runner(module)
        services = read_services(runner)
    except ToolError as exc:
        _fail(module, runner, str(exc))
    found = ea.filter_services(services, types=module.params.get('type'), names=module.params.get('name'))
    module.exit_json(changed=False, services=found, tools=runner.tools)


def run_service(module):
    p = module.params
    name, type_, host, zone, state = p['name'], p['type'], p['host'], p['zone'], p['state']
    runner = None
    try:
        ea.validate_service_args(name, type_, host, zone, state)
        bad = [s for s in p['wait_states'] if s not in ea.SERVICE_STATES]
        if bad:
            raise PlanError('unknown wait_states %s (states are %s)' % (', '.join(bad), ', '.join(ea.SERVICE_STATES)))
        runner = _runner(module)
        tools = _tools(runner.generation)
        register = tools.register_cmd(type_, name, host, zone, p['port']) if state == 'present' else None
        services = read_services(runner)
        action = ea.plan_service(services, name, type_, host, zone, state)
        if action != 'none':    # the tool exists before anything is changed
            runner.require((register if action == 'register' else tools.deregister_cmd(ea.find_service(services, name)))[0])
    except (PlanError, ToolError) as exc:
        _fail(module, runner, str(exc))
    before = ea.find_service(services, name)
    changed = action != 'none'
    result = dict(changed=changed, tools=runner.tools)
    if action == 'register':
        after_view = {'name': name, 'type': type_, 'zone': zone if type_ in ea.PARTITIONED_TYPES else None, 'host': host}
    elif action == 'deregister':
        after_view = {}
    else:
        after_view = _svc_view(before)
    if module._diff:
        result['diff'] = {'before': _svc_view(before), 'after': after_view}
    if module.check_mode:
        if state == 'present':
            result['service'] = before if action == 'none' else dict(after_view, state=None)
        else:
            result['service'] = None
        result['commands'] = runner.commands
        module.exit_json(**result)

    current = before
    try:
        if action == 'register':
            runner.run(register)
            current = ea.find_service(read_services(runner), name)
            if not ea.service_matches(current, type_, host, zone):
                _fail(module, runner,
                      'the CLC did not register %s %s at %s%s (the tool reported success; %s)'
                      % (type_, name, host, ' in zone %s' % zone if zone else '',
                         'now listed as %s' % _svc_view(current) if current else 'it is not listed'),
                      service=current, cloud_log=tail_cloud_log())
        elif action == 'deregister':
            runner.run(tools.deregister_cmd(before))
            current = ea.find_service(read_services(runner), name)
            if current is not None:
                _fail(module, runner, 'the CLC did not deregister %s (the tool reported success; it is '
                      'still listed as %s)' % (name, current.get('state')), service=current,
                      cloud_log=tail_cloud_log(), changed=False)
        if state == 'present' and p['wait']:
            current = _wait(module, runner, current, p['wait_states'], p['wait_timeout'], changed)
    except ToolError as exc:
        _fail(module, runner, str(exc), changed=changed)
    result['service'] = current if state == 'present' else None
    result['commands'] = runner.commands
    module.exit_json(**result)


def _wait(module, runner, current, states, timeout, changed):
    deadline = time.time() + timeout
    seen = current.get('state') if current else None
    while seen not in states:
        if time.time() >= deadline:
            log = tail_cloud_log()
            msg = ('service %s did not reach %s within %ss; last state seen: %s'
                   % (current['name'], '|'.join(states), timeout, seen or 'not listed'))
            if log:
                msg += '; last lines of cloud-output.log:\n' + log
            _fail(module, runner, msg, changed=changed, service=dict(current, state=seen), cloud_log=log)
        time.sleep(min(WAIT_SLEEP, max(0.0, deadline - time.time())) or 0.1)
        seen = _read_state(runner, current['name'])
    return dict(current, state=seen)


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------

def read_properties(runner, names):
    """``{name: value}`` for the names that exist (exact names; prefix matches dropped)."""
    names = sorted(set(names))
    if runner.generation == '41':
        got = t41.parse_describe_properties(runner.run(t41.describe_properties_cmd(names))[1])
        return dict((n, got[n]) for n in names if n in got)
    plain = [n for n in names if not ea.is_json_property(n)]
    out = {}
    if plain:
        got = t42.parse_euctl(runner.run(t42.euctl_get_cmd(plain))[1])
        out.update((n, got[n]) for n in plain if n in got)
    for name in names:
        if ea.is_json_property(name):
            out[name] = t42.parse_dump(runner.run(t42.euctl_dump_cmd(name))[1])
    return out


def _set_shown(gen, name, src):
    tool = t41.MODIFY_PROPERTY if gen == '41' else t42.EUCTL
    if src is not None:
        return '%s %s%s=%s%s' % (tool, '-f ' if gen == '41' else '', name, '' if gen == '41' else '@', src)
    return '%s %s%s=...' % (tool, '-p ' if gen == '41' else '', name)


def run_property(module):
    p = module.params
    runner = None
    try:
        wanted, srcs = ea.normalize_property_args(p['properties'], p['name'], p['value'], p['src'])
        runner = _runner(module)
        gen = runner.generation
        for name, src in list(srcs.items()):
            path = os.path.abspath(os.path.expanduser(src))
            try:
                with open(path, 'rb') as fh:
                    content = fh.read().decode('utf-8')
            except (IOError, OSError, UnicodeDecodeError) as exc:
                raise PlanError('cannot read src %s for %s: %s' % (path, name, exc))
            srcs[name] = path
            wanted[name] = ea.src_value(gen, content)
        tools = _tools(gen)
        commands = {}
        for name in wanted:
            commands[name] = (tools.modify_property_cmd(name, wanted[name], srcs.get(name)) if gen == '41'
                              else t42.euctl_set_cmd(name, wanted[name], srcs.get(name)))
        current = read_properties(runner, wanted)
        for name in wanted:
            if ea.is_secret_property(name):
                for value in (wanted[name], current.get(name)):
                    if value and value != ea.HIDDEN_VALUE:
                        module.no_log_values.add(value)
        changes = ea.plan_properties(current, wanted)
        if changes:
            runner.require(commands[changes[0][0]][0])
    except (PlanError, ToolError) as exc:
        _fail(module, runner, str(exc))
    changed_properties = dict((n, {'before': b, 'after': a}) for n, b, a in changes)
    result = dict(changed=bool(changes), tools=runner.tools)
    if module._diff:
        result['diff'] = {'before': dict((n, b) for n, b, a in changes),
                          'after': dict((n, a) for n, b, a in changes)}
    if module.check_mode or not changes:
        result.update(changed_properties=changed_properties, commands=runner.commands)
        module.exit_json(**result)
    done = []
    try:
        for name, before, after in changes:
            runner.run(commands[name], shown=_set_shown(gen, name, srcs.get(name)))
            done.append(name)
        back = read_properties(runner, done)
    except ToolError as exc:
        _fail(module, runner, str(exc), changed=bool(done),
              changed_properties=dict((n, changed_properties[n]) for n in done))
    refused = [n for n in done if back.get(n) != ea.HIDDEN_VALUE and not ea.values_equal(n, back.get(n), wanted[n])]
    for name in done:
        changed_properties[name]['after'] = back.get(name)
    if refused:
        _fail(module, runner, 'the CLC did not take the new value of %s (read back after the write: %s); '
              'read-only properties are ignored silently' % (', '.join(refused),
                                                             ', '.join('%s=%r' % (n, back.get(n)) for n in refused)),
              changed=True, changed_properties=changed_properties)
    if module._diff:
        result['diff']['after'] = dict((n, changed_properties[n]['after']) for n in done)
    result.update(changed_properties=changed_properties, commands=runner.commands)
    module.exit_json(**result)


# ---------------------------------------------------------------------------------------------
# nodes
# ---------------------------------------------------------------------------------------------

def read_nodes(conf_path):
    try:
        with open(conf_path) as fh:
            text = fh.read()
    except (IOError, OSError) as exc:
        raise ToolError('cannot read %s: %s' % (conf_path, exc))
    nodes = ea.parse_nodes(text)
    if nodes is None:
        raise PlanError('%s has no NODES= line; the tools add nothing without one (write NODES="" first)'
                        % conf_path)
    return nodes


def run_nodes(module):
    p = module.params
    runner = None
    conf = eucalyptus_path(CONF)
    try:
        ea.validate_nodes(p['nodes'])
        runner = _runner(module, new_tool_probes=[t42.DESCRIBE_SERVICES, t42.REGISTER_NODES])
        current = read_nodes(conf)
        added, removed = ea.plan_nodes(current, p['nodes'], p['state'], p['purge'])
        for needed, tool in ((added, t41.EUCA_CONF if runner.generation == '41' else t42.REGISTER_NODES),
                             (removed, t41.EUCA_CONF if runner.generation == '41' else t42.DEREGISTER_NODES),
                             (added if p['copy_keys'] and runner.generation != '41' else [], t42.COPY_KEYS)):
            if needed:
                runner.require(tool)
    except (PlanError, ToolError) as exc:
        _fail(module, runner, str(exc))
    expected = (set(current) | set(added)) - set(removed)
    changed = bool(added or removed)
    result = dict(changed=changed, added=added, removed=removed, tools=runner.tools)
    if module._diff:
        result['diff'] = {'before': {'nodes': ea.sorted_nodes(current)}, 'after': {'nodes': ea.sorted_nodes(expected)}}
    if module.check_mode or not changed:
        result.update(nodes=ea.sorted_nodes(expected), commands=runner.commands)
        module.exit_json(**result)
    gen = runner.generation
    sync_failed = []
    try:
        if gen == '41':
            if added:
                rc, out, err = runner.run(t41.register_nodes_cmd(added, p['copy_keys']), credentials=False)
                sync_failed = t41.key_sync_failures(out, err)
            if removed:
                runner.run(t41.deregister_nodes_cmd(removed), credentials=False)
        else:
            if added:
                runner.run(t42.register_nodes_cmd(added), credentials=False)
            if removed:
                runner.run(t42.deregister_nodes_cmd(removed), credentials=False)
        now = read_nodes(conf)
        if now != expected:
            _fail(module, runner, 'NODES in %s is %s after the change, expected %s (the tool exited 0)'
                  % (conf, ' '.join(ea.sorted_nodes(now)) or '(empty)', ' '.join(ea.sorted_nodes(expected))),
                  changed=now != set(current), nodes=ea.sorted_nodes(now), added=added, removed=removed)
        if gen != '41' and added and p['copy_keys']:
            runner.run(t42.copy_keys_cmd(added), credentials=False)
    except (PlanError, ToolError) as exc:
        _fail(module, runner, str(exc), changed=True, added=added, removed=removed)
    result.update(nodes=ea.sorted_nodes(now), commands=runner.commands)
    if sync_failed:
        _fail(module, runner, 'nodes registered, but euca_conf could not copy the keys to %s'
              % ', '.join(sync_failed), **result)
    module.exit_json(**result)
