# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MidoNet tunnel zones: pure planning functions (``find_zone``, ``resolve_members``,
``plan_members``, ...), unit-tested without any HTTP, and ``run_tunnel_zone`` /
``ensure_tunnel_zone``, the body of the ``midonet_tunnel_zone`` module.

Valid on Python 2.7 and 3.6+ (EL7 targets).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet_client import (
    MidonetError, client_from_module, fail, host_index, is_ipv4, protect_api_url, resolve_host)


# ---------------------------------------------------------------------------------------------
# Pure planning functions
# ---------------------------------------------------------------------------------------------

def find_zone(zones, name):
    """Return ``(zone, case_variants)``: the zone whose name equals ``name`` EXACTLY (never a
    substring: ``euca-mido2`` does not match ``euca-mido``), and the zones whose name differs
    from it only in case. Raises MidonetError when several zones carry exactly that name."""
    exact = [z for z in zones if z.get('name') == name]
    variants = [z for z in zones if z.get('name') != name
                and (z.get('name') or '').lower() == name.lower()]
    if len(exact) > 1:
        raise MidonetError('%d tunnel zones are named \'%s\' (ids %s); remove the duplicates first'
                           % (len(exact), name, ', '.join(sorted(str(z.get('id')) for z in exact))))
    return (exact[0] if exact else None), variants


def resolve_members(hosts, members):
    """Validate and resolve the wanted members BEFORE any write.

    ``members`` is a list of ``{host, address}``. Returns ``(wanted, errors)`` where ``wanted``
    maps host id -> ``{host, host_id, address}`` and ``errors`` lists every problem found
    (unknown host, ambiguous name, bad address, host listed twice)."""
    wanted = {}
    order = []
    errors = []
    for i, m in enumerate(members or []):
        if not isinstance(m, dict):
            errors.append('members[%d]: expected a dict with host and address' % i)
            continue
        ref = m.get('host')
        address = m.get('address')
        if not ref:
            errors.append('members[%d]: host is required' % i)
            continue
        if not is_ipv4(address):
            errors.append('members[%d] (host \'%s\'): \'%s\' is not a valid IPv4 address'
                          % (i, ref, address))
        host, err = resolve_host(hosts, ref)
        if err:
            errors.append('members[%d]: %s' % (i, err))
            continue
        hid = str(host.get('id'))
        if hid.lower() in wanted:
            errors.append('members[%d]: host \'%s\' (%s) is listed twice (also as \'%s\')'
                          % (i, ref, hid, wanted[hid.lower()]['ref']))
            continue
        wanted[hid.lower()] = dict(host=host.get('name'), host_id=hid, address=address, ref=ref)
        order.append(hid.lower())
    result = []
    for key in order:
        entry = dict(wanted[key])
        entry.pop('ref', None)
        result.append(entry)
    return result, errors


def describe_members(members, hosts):
    """API member objects -> sorted ``[{host, host_id, address}]`` (host name from ``hosts``)."""
    index = host_index(hosts)
    out = []
    for m in members:
        hid = str(m.get('hostId'))
        host = index.get(hid.lower())
        out.append(dict(host=host.get('name') if host else None, host_id=hid,
                        address=m.get('ipAddress')))
    return sorted(out, key=lambda e: ((e['host'] or ''), e['host_id']))


def plan_members(current, wanted, purge):
    """Compute the member changes.

    ``current`` and ``wanted`` are lists of ``{host, host_id, address}``. A member whose address
    changed is deleted and re-added (the API has no PUT for members). With ``purge`` members not
    wanted are removed. Returns dict(add=[...], remove=[...], readdress=[...], unchanged=[...])
    where ``readdress`` entries are ``(old, new)`` pairs."""
    cur = dict((m['host_id'].lower(), m) for m in current)
    want_keys = set()
    add, readdress, unchanged, remove = [], [], [], []
    for w in wanted:
        key = w['host_id'].lower()
        want_keys.add(key)
        have = cur.get(key)
        if have is None:
            add.append(w)
        elif have.get('address') != w['address']:
            readdress.append((have, w))
        else:
            unchanged.append(have)
    if purge:
        for key in sorted(cur):
            if key not in want_keys:
                remove.append(cur[key])
    return dict(add=add, remove=remove, readdress=readdress, unchanged=unchanged)


def plan_is_empty(plan):
    return not (plan['add'] or plan['remove'] or plan['readdress'])


def apply_plan(current, plan):
    """The member list expected after ``plan`` (used for check mode and diff)."""
    gone = set(m['host_id'].lower() for m in plan['remove'])
    gone.update(old['host_id'].lower() for old, dummy in plan['readdress'])
    after = [dict(m) for m in current if m['host_id'].lower() not in gone]
    after.extend(dict(new) for dummy, new in plan['readdress'])
    after.extend(dict(m) for m in plan['add'])
    return sorted(after, key=lambda e: ((e['host'] or ''), e['host_id']))


def zone_view(zone):
    if not zone:
        return None
    return dict(id=zone.get('id'), name=zone.get('name'), type=zone.get('type'))


def run_tunnel_zone(module):
    p = module.params
    name = p['name']
    zone_type = p['type']
    state = p['state']
    members_spec = p.get('members')
    purge = p.get('purge')
    client = None
    api_url = protect_api_url(module)
    try:
        client = client_from_module(module, api_url)
        result = ensure_tunnel_zone(client, name, zone_type, state, members_spec, purge,
                                    check_mode=module.check_mode, want_diff=module._diff)
    except MidonetError as exc:
        fail(module, client, exc, **(getattr(exc, 'result', None) or {}))
    module.exit_json(**result)


def ensure_tunnel_zone(client, name, zone_type, state, members_spec, purge, check_mode=False,
                       want_diff=False):
    """Converge one tunnel zone; returns the module result dict. Raises MidonetError."""
    if not name:
        raise MidonetError('name must not be empty')
    client.get_root()
    zones = client.list_zones()
    zone, variants = find_zone(zones, name)
    if zone is None and variants and state == 'present':
        raise MidonetError(
            'tunnel zone \'%s\' does not exist, but %s differing only in case does (%s); MidoNet 1.x '
            'compares zone names case-insensitively and eucanetd matches names exactly, so this '
            'module refuses to create a second zone: rename or delete the existing one, or use its '
            'exact name' % (name, 'a zone' if len(variants) == 1 else 'zones',
                            ', '.join('%s (%s)' % (v.get('name'), v.get('id')) for v in variants)))
    if zone is not None and state == 'present' and zone.get('type') != zone_type:
        raise MidonetError(
            'tunnel zone \'%s\' (%s) has type \'%s\', not \'%s\'; MidoNet cannot change the type of an existing '
            'zone: delete it (state=absent) and create it again, or set type: %s'
            % (name, zone.get('id'), zone.get('type'), zone_type, zone.get('type')))

    hosts = []
    current = []
    if zone is not None or (state == 'present' and members_spec):
        hosts = client.list_hosts()
    if zone is not None:
        current = describe_members(client.list_members(zone['id']), hosts)

    before = dict(tunnel_zone=zone_view(zone), members=current) if zone else dict(tunnel_zone=None, members=[])
    result = dict(changed=False, api_version=client.version)
    warnings = []
    if variants:
        warnings.append('tunnel zone(s) %s differ from \'%s\' only in case; they are left alone'
                        % (', '.join("'%s'" % v.get('name') for v in variants), name))

    if state == 'absent':
        if zone is not None:
            result['changed'] = True
            if not check_mode:
                client.delete_zone(zone['id'])
        after = dict(tunnel_zone=None, members=[])
        result.update(tunnel_zone=None, members=[])
    else:
        wanted = None
        if members_spec is not None:
            wanted, errors = resolve_members(hosts, members_spec)
            if errors:
                raise MidonetError('invalid members for tunnel zone \'%s\', nothing was changed: %s'
                                   % (name, '; '.join(errors)))
        plan = plan_members(current, wanted if wanted is not None else [],
                            purge if wanted is not None else False)
        if wanted is None:
            plan = dict(add=[], remove=[], readdress=[], unchanged=current)
        created = zone is None
        if created:
            result['changed'] = True
            if check_mode:
                zone = dict(id=None, name=name, type=zone_type)
            else:
                zone_id = client.create_zone(name, zone_type)
                if zone_id is None:
                    # lost a race with another creator: re-read and use that zone
                    zone, dummy = find_zone(client.list_zones(), name)
                    if zone is None or zone.get('type') != zone_type:
                        raise MidonetError('could not create tunnel zone \'%s\': the API reports a '
                                           'duplicate name' % name)
                    current = describe_members(client.list_members(zone['id']), hosts)
                    plan = plan_members(current, wanted or [], purge if wanted is not None else False)
                else:
                    zone = dict(id=zone_id, name=name, type=zone_type)
        if not plan_is_empty(plan):
            result['changed'] = True
            if not check_mode:
                try:
                    _apply_member_plan(client, zone['id'], plan)
                except MidonetError as exc:
                    if created:
                        exc.result = dict(getattr(exc, 'result', None) or {}, changed=True)
                        exc.msg += ' (tunnel zone \'%s\' was created: %s)' % (name, zone['id'])
                    raise
        members_after = apply_plan(current, plan)
        after = dict(tunnel_zone=zone_view(zone), members=members_after)
        result.update(tunnel_zone=zone_view(zone), members=members_after,
                      plan=dict(add=[m['host'] or m['host_id'] for m in plan['add']],
                                remove=[m['host'] or m['host_id'] for m in plan['remove']],
                                readdress=[n['host'] or n['host_id'] for dummy, n in plan['readdress']]))
    if want_diff:
        result['diff'] = dict(before=before, after=after)
    if warnings:
        result['warnings'] = warnings
    result['api_calls'] = client.api_calls()
    return result


def _apply_member_plan(client, zone_id, plan):
    done = []
    for m in plan['remove']:
        _step(client, zone_id, done, None, client.remove_member, zone_id, m['host_id'])
        done.append('removed %s' % _who(m))
    for old, new in plan['readdress']:
        _step(client, zone_id, done, None, client.remove_member, zone_id, old['host_id'])
        done.append('removed %s (address %s) to re-add it with %s' % (_who(old), old['address'], new['address']))
        _step(client, zone_id, done, (old, new), _add, client, zone_id, new)
        done.append('re-added %s with address %s' % (_who(new), new['address']))
    for m in plan['add']:
        _step(client, zone_id, done, None, _add, client, zone_id, m)
        done.append('added %s with address %s' % (_who(m), m['address']))


def _who(member):
    return '%s (%s)' % (member.get('host') or member['host_id'], member['host_id'])


def _step(client, zone_id, done, readdress, fn, *args):
    """Run one write of the member plan; on failure say what was done before it and, when the
    failed write is the re-POST of a re-addressed member, that the member is now gone."""
    try:
        fn(*args)
    except MidonetError as exc:
        result = dict(changed=bool(done), applied=list(done))
        msg = exc.msg
        if readdress is not None:
            old, new = readdress
            try:
                now = client.get_member(zone_id, new['host_id'])
                gone = now is None
                if gone:
                    state = 'is NOT a member of the tunnel zone any more (read back)'
                else:
                    state = 'is a member again, with address %s (read back)' % now.get('ipAddress')
            except MidonetError as again:
                gone = None
                state = 'could not be read back (%s): it is most likely NOT a member any more' % again.msg
            msg = ('re-addressing tunnel zone member %s failed after its old membership (address %s) '
                   'was deleted: the host %s%s; re-run the module to add it with address %s. '
                   'The re-add failed with: %s'
                   % (_who(new), old['address'], state,
                      ', so tunnel traffic to it stops until it is added back' if gone is not False else '',
                      new['address'], exc.msg))
            result.update(changed=True, member_gone=gone,
                          gone_members=[] if gone is False else [
                              dict(host=new.get('host'), host_id=new['host_id'], old_address=old['address'],
                                   wanted_address=new['address'])])
        if done:
            msg += ' (already applied: %s)' % '; '.join(done)
        err = MidonetError(msg, url=exc.url, status=exc.status, body=exc.body)
        err.result = result
        raise err


def _add(client, zone_id, member):
    if not client.add_member(zone_id, member['host_id'], member['address']):
        # someone else added it meanwhile: fine if the address is the one we want
        existing = client.get_member(zone_id, member['host_id'])
        if not existing or existing.get('ipAddress') != member['address']:
            raise MidonetError('host %s (%s) is already a member of the tunnel zone with address %s, '
                               'not %s (changed concurrently?)'
                               % (member['host'], member['host_id'],
                                  existing.get('ipAddress') if existing else '?', member['address']))
