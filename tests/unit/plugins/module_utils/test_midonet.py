"""Unit tests for plugins/module_utils/midonet.py: client (fake transport, MidoNet 1.x and 5.x
responses as documented in /work/shared/reference/midonet-api.md), error mapping, auth, and the
pure planning functions (exact-name matching, member diffs)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import re
import uuid

import pytest

from ansible_collections.eucalyptus.cloud.plugins.module_utils import midonet as mn
from ansible_collections.eucalyptus.cloud.plugins.module_utils.midonet import (
    MidonetClient, MidonetError, ensure_tunnel_zone)

BASE = 'http://mido.example:8080/midonet-api'
H1 = '11111111-1111-1111-1111-111111111111'
H2 = '22222222-2222-2222-2222-222222222222'
H3 = '33333333-3333-3333-3333-333333333333'
HOSTS = [
    {'id': H1, 'name': 'clc.euca', 'alive': True, 'addresses': ['10.0.0.1']},
    {'id': H2, 'name': 'nc1.euca', 'alive': True, 'addresses': ['10.0.0.2']},
    {'id': H3, 'name': 'nc1.euca2', 'alive': False, 'addresses': ['10.0.0.3']},
]


class FakeResponse(object):
    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        if body is None:
            self.content = b''
        elif isinstance(body, (dict, list)):
            self.content = json.dumps(body).encode()
        else:
            self.content = body.encode() if not isinstance(body, bytes) else body
        self.headers = headers or {}

    @property
    def text(self):
        return self.content.decode()

    def json(self):
        return json.loads(self.content.decode())


class FakeMidonet(object):
    """Just enough of the MidoNet API, flavor 1 (1.9) or 5 (5.2), behind ``session.request``."""

    def __init__(self, flavor=5, hosts=None, auth=None):
        self.flavor = flavor
        self.hosts = [dict(h) for h in (hosts if hosts is not None else HOSTS)]
        self.zones = {}     # id -> zone
        self.members = {}   # zone id -> {host id: ip}
        self.auth = auth    # None (mock auth) or (user, password)
        self.log = []
        self.verify = True
        self.token = 'tok-' + uuid.uuid4().hex

    def seed_zone(self, name, ztype='gre', members=None):
        zid = str(uuid.uuid4())
        self.zones[zid] = {'id': zid, 'name': name, 'type': ztype}
        self.members[zid] = dict(members or {})
        return zid

    def _err(self, status, msg):
        return FakeResponse(status, {'message': msg, 'code': status})

    def request(self, method, url, headers=None, data=None, auth=None, timeout=None, allow_redirects=True):
        headers = headers or {}
        self.log.append((method, url, dict(headers), data))
        path = url[len(BASE):]
        if path == '/login':
            if self.auth is None:
                return FakeResponse(200, {'key': '00000000'}, {'Set-Cookie': 'sessionId=00000000; Expires=x'})
            if auth != self.auth:
                return FakeResponse(401, {'message': 'Authentication error', 'code': 401})
            return FakeResponse(200, {'key': self.token, 'expires': 'later'},
                                {'Set-Cookie': 'sessionId=%s; Expires=later' % self.token})
        if self.auth is not None:
            if 'X-Auth-Token' not in headers:
                return self._err(401, 'No token was passed in.')
            if headers['X-Auth-Token'] != self.token:
                return self._err(401, 'Authentication error')
        if path == '/':
            return FakeResponse(200, {'uri': BASE + '/', 'version': 'v5.0' if self.flavor == 5 else 'v1.9',
                                      'hosts': BASE + '/hosts', 'tunnelZones': BASE + '/tunnel_zones'})
        if path == '/hosts' and method == 'GET':
            return FakeResponse(200, self.hosts)
        if path == '/tunnel_zones':
            if method == 'GET':
                return FakeResponse(200, list(self.zones.values()))
            body = json.loads(data)
            for z in self.zones.values():
                same = (z['name'] == body['name']) if self.flavor == 5 else (z['name'].lower() == body['name'].lower())
                if same:
                    if self.flavor == 5:
                        return self._err(409, 'Tunnel zone name already exists.')
                    return FakeResponse(400, {'message': 'Validation error(s) found', 'code': 400,
                                              'violations': [{'property': 'name',
                                                              'message': 'Tunnel zone name already exists.'}]})
            zid = self.seed_zone(body['name'], body['type'])
            return FakeResponse(201, None, {'Location': BASE + '/tunnel_zones/' + zid})
        m = re.match(r'^/tunnel_zones/([^/]+)$', path)
        if m:
            zid = m.group(1)
            if method == 'DELETE':
                self.zones.pop(zid, None)
                self.members.pop(zid, None)
                return FakeResponse(204)
            if zid not in self.zones:
                return self._err(404, 'not found')
            return FakeResponse(200, self.zones[zid])
        m = re.match(r'^/tunnel_zones/([^/]+)/hosts$', path)
        if m:
            zid = m.group(1)
            if zid not in self.zones:
                return self._err(404, 'not found')
            if method == 'GET':
                if not headers.get('Accept', '').startswith('application/vnd.org.midonet.collection.TunnelZoneHost'):
                    return self._err(406, 'Not Acceptable')
                return FakeResponse(200, [{'tunnelZoneId': zid, 'hostId': h, 'ipAddress': ip}
                                          for h, ip in self.members[zid].items()])
            if headers.get('Content-Type') != mn.MT_TUNNEL_ZONE_HOST:
                return FakeResponse(415)
            body = json.loads(data)
            if body['hostId'] in self.members[zid]:
                if self.flavor == 5:
                    return FakeResponse(409)
                return FakeResponse(400, {'message': 'Validation error(s) found', 'code': 400, 'violations': [
                    {'property': '', 'message': 'Tunnel zone membership already exists.'}]})
            if body['hostId'] not in [h['id'] for h in self.hosts]:
                return self._err(404 if self.flavor == 5 else 400, 'Host ID is not valid.')
            self.members[zid][body['hostId']] = body['ipAddress']
            return FakeResponse(201, None, {'Location': url + '/' + body['hostId']})
        m = re.match(r'^/tunnel_zones/([^/]+)/hosts/([^/]+)$', path)
        if m:
            zid, hid = m.groups()
            mem = self.members.get(zid, {})
            if method == 'DELETE':
                if hid not in mem:
                    return FakeResponse(404) if self.flavor == 5 else FakeResponse(204)
                del mem[hid]
                return FakeResponse(204)
            if hid not in mem:
                return self._err(404, 'Resource not found')
            return FakeResponse(200, {'tunnelZoneId': zid, 'hostId': hid, 'ipAddress': mem[hid]})
        return self._err(404, 'no route ' + path)

    def writes(self):
        return [(m, u) for m, u, h, d in self.log if m in ('POST', 'PUT', 'DELETE') and not u.endswith('/login')]


def client_for(api, **kw):
    return MidonetClient(BASE, session=api, **kw)


FLAVORS = pytest.mark.parametrize('flavor', [1, 5])


# ------------------------------------------------------------------ pure functions

def test_is_ipv4():
    assert mn.is_ipv4('10.0.0.1')
    assert mn.is_ipv4('255.255.255.255')
    for bad in ('10.0.0', '10.0.0.256', '010.0.0.1', 'a.b.c.d', '', None, '10.0.0.1/24', 'fe80::1', ' 10.0.0.1'):
        assert not mn.is_ipv4(bad), bad


def test_api_major():
    assert mn.api_major('v1.9') == 1
    assert mn.api_major('v5.0') == 5
    assert mn.api_major('5.2') == 5
    assert mn.api_major(None) == 5


def test_safe_url_strips_userinfo():
    assert mn.safe_url('http://admin:s3cret@h:8080/midonet-api') == 'http://h:8080/midonet-api'


def test_url_credentials():
    assert mn.url_credentials('http://h:8080/midonet-api') == (None, None)
    assert mn.url_credentials('http://admin:s3cret@h:8080/x') == ('admin', 's3cret')
    assert mn.url_credentials('http://admin:p%40ss%3Aw@h/x') == ('admin', 'p@ss:w')
    assert mn.url_credentials('http://admin@h/x') == ('admin', None)


class _Module(object):
    def __init__(self, **params):
        self.params = dict(dict(username=None, password=None, project=None, token=None,
                                validate_certs=True, timeout=30), **params)
        self.no_log_values = set()
        self.warnings = []

    def warn(self, msg):
        self.warnings.append(msg)

    def fail_json(self, **kw):  # pragma: no cover - requests is installed here
        raise AssertionError(kw)


def test_protect_api_url_masks_the_password_and_keeps_a_useful_url():
    m = _Module(api_url='http://admin:p%40ss@h:8080/midonet-api')
    raw = mn.protect_api_url(m)
    assert raw == 'http://admin:p%40ss@h:8080/midonet-api'
    assert m.params['api_url'] == 'http://h:8080/midonet-api'       # what invocation echoes
    assert m.no_log_values == {'p@ss', 'p%40ss'}                    # masked in every result/message
    client = mn.client_from_module(m, raw)
    assert client.api_url == 'http://h:8080/midonet-api'            # requests never carry userinfo
    assert (client._username, client._password) == ('admin', 'p@ss')
    m = _Module(api_url='http://h/x')
    assert mn.protect_api_url(m) == 'http://h/x' and m.no_log_values == set()


def test_api_url_credentials_yield_to_explicit_ones():
    m = _Module(api_url='http://a:b@h/x', token='tok')
    client = mn.client_from_module(m, mn.protect_api_url(m))
    assert client._username is None and client._token == 'tok' and 'ignored because token' in m.warnings[0]
    m = _Module(api_url='http://a:b@h/x', username='u', password='p')
    client = mn.client_from_module(m, mn.protect_api_url(m))
    assert (client._username, client._password) == ('u', 'p')


def test_find_zone_exact_not_substring():
    zones = [{'id': 'a', 'name': 'euca-mido2', 'type': 'gre'}, {'id': 'b', 'name': 'xeuca-mido', 'type': 'gre'}]
    zone, variants = mn.find_zone(zones, 'euca-mido')
    assert zone is None and variants == []
    zones.append({'id': 'c', 'name': 'euca-mido', 'type': 'gre'})
    zone, variants = mn.find_zone(zones, 'euca-mido')
    assert zone['id'] == 'c'


def test_find_zone_case_variant_and_duplicates():
    zones = [{'id': 'a', 'name': 'Mido-TZ', 'type': 'gre'}]
    zone, variants = mn.find_zone(zones, 'mido-tz')
    assert zone is None and [v['id'] for v in variants] == ['a']
    with pytest.raises(MidonetError, match='2 tunnel zones'):
        mn.find_zone([{'id': 'a', 'name': 'x'}, {'id': 'b', 'name': 'x'}], 'x')


def test_resolve_host_by_name_uuid_exact():
    assert mn.resolve_host(HOSTS, 'nc1.euca')[0]['id'] == H2          # not nc1.euca2
    assert mn.resolve_host(HOSTS, H3.upper())[0]['name'] == 'nc1.euca2'
    host, err = mn.resolve_host(HOSTS, 'nc1')
    assert host is None and 'unknown host' in err
    host, err = mn.resolve_host(HOSTS + [{'id': 'x', 'name': 'clc.euca'}], 'clc.euca')
    assert host is None and 'ambiguous' in err


def test_resolve_members_collects_all_errors():
    wanted, errors = mn.resolve_members(HOSTS, [
        {'host': 'clc.euca', 'address': '10.1.0.1'},
        {'host': H1, 'address': '10.1.0.1'},             # same host twice
        {'host': 'ghost', 'address': '10.1.0.9'},        # unknown
        {'host': 'nc1.euca', 'address': '10.1.0.300'},   # bad address
    ])
    assert len(errors) == 3
    assert any('listed twice' in e for e in errors)
    assert any("unknown host 'ghost'" in e for e in errors)
    assert any('not a valid IPv4' in e for e in errors)
    assert wanted[0] == {'host': 'clc.euca', 'host_id': H1, 'address': '10.1.0.1'}


def test_plan_members():
    cur = [{'host': 'clc.euca', 'host_id': H1, 'address': '10.1.0.1'},
           {'host': 'nc1.euca', 'host_id': H2, 'address': '10.1.0.2'},
           {'host': 'nc1.euca2', 'host_id': H3, 'address': '10.1.0.3'}]
    want = [{'host': 'clc.euca', 'host_id': H1, 'address': '10.1.0.1'},
            {'host': 'nc1.euca', 'host_id': H2, 'address': '10.1.0.22'}]
    plan = mn.plan_members(cur, want, purge=False)
    assert plan['add'] == [] and plan['remove'] == []
    assert [n['address'] for o, n in plan['readdress']] == ['10.1.0.22']
    plan = mn.plan_members(cur, want, purge=True)
    assert [m['host_id'] for m in plan['remove']] == [H3]
    after = mn.apply_plan(cur, plan)
    assert after == sorted(want, key=lambda e: e['host'])
    assert mn.plan_is_empty(mn.plan_members(cur, cur, purge=True))
    plan = mn.plan_members([], want, purge=True)
    assert len(plan['add']) == 2


def test_describe_members_unknown_host():
    out = mn.describe_members([{'hostId': 'dead', 'ipAddress': '1.2.3.4'}, {'hostId': H1, 'ipAddress': '1.1.1.1'}], HOSTS)
    assert {'host': None, 'host_id': 'dead', 'address': '1.2.3.4'} in out
    assert {'host': 'clc.euca', 'host_id': H1, 'address': '1.1.1.1'} in out


# ------------------------------------------------------------------ client: version, media types, auth

@FLAVORS
def test_root_version_detection(flavor):
    api = FakeMidonet(flavor)
    c = client_for(api)
    c.get_root()
    assert c.major == flavor
    c.get_root()  # cached
    assert c.api_calls() == {'GET': 1, 'total': 1}


def test_root_not_midonet():
    class S(FakeMidonet):
        def request(self, *a, **k):
            return FakeResponse(200, '<html>tomcat</html>')
    with pytest.raises(MidonetError, match='does not look like a MidoNet API'):
        client_for(S()).get_root()


@FLAVORS
def test_vendor_media_types(flavor):
    api = FakeMidonet(flavor)
    zid = api.seed_zone('mido-tz')
    c = client_for(api)
    assert c.add_member(zid, H1, '10.0.0.1') is True
    method, url, headers, data = api.log[-1]
    assert headers['Content-Type'] == 'application/vnd.org.midonet.TunnelZoneHost-v1+json'
    assert json.loads(data) == {'hostId': H1, 'ipAddress': '10.0.0.1'}
    c.list_members(zid)
    assert api.log[-1][2]['Accept'] == 'application/vnd.org.midonet.collection.TunnelZoneHost-v1+json'
    c.list_zones()
    assert api.log[-1][2]['Accept'] == 'application/vnd.org.midonet.collection.TunnelZone-v1+json'
    c.list_hosts()
    assert api.log[-1][2]['Accept'] == 'application/vnd.org.midonet.collection.Host-v3+json'


@FLAVORS
def test_duplicate_member_and_zone_absorbed(flavor):
    api = FakeMidonet(flavor)
    c = client_for(api)
    c.get_root()
    zid = c.create_zone('mido-tz', 'gre')
    assert zid in api.zones
    assert c.create_zone('mido-tz', 'gre') is None      # 409 (5.x) / 400 (1.x)
    assert c.add_member(zid, H1, '10.0.0.1') is True
    assert c.add_member(zid, H1, '10.0.0.1') is False   # 409 (5.x) / 400 (1.x)
    assert c.remove_member(zid, H1) is True
    c.remove_member(zid, H1)                            # 404 (5.x) / 204 (1.x): no error


def test_415_when_plain_json_is_reported():
    api = FakeMidonet(5)
    zid = api.seed_zone('z')
    c = client_for(api)
    with pytest.raises(MidonetError, match='HTTP 415'):
        c.request('POST', c.url('tunnel_zones', zid, 'hosts'), content_type='application/json',
                  payload={'hostId': H1, 'ipAddress': '1.1.1.1'}, ok=(201,))


def test_unknown_host_member_post_1x_is_error():
    api = FakeMidonet(1)
    zid = api.seed_zone('z')
    with pytest.raises(MidonetError, match='Host ID is not valid'):
        client_for(api).add_member(zid, 'aaaaaaaa-1111-1111-1111-111111111111', '1.1.1.1')


def test_login_and_token_header():
    api = FakeMidonet(5, auth=('admin', 'pw-secret'))
    c = client_for(api, username='admin', password='pw-secret', project='admin')
    c.get_root()
    method, url, headers, data = api.log[0]
    assert url == BASE + '/login'
    assert headers.get('X-Auth-Project') == 'admin'
    assert api.log[1][2]['X-Auth-Token'] == api.token
    c.list_zones()
    assert len([l for l in api.log if l[1].endswith('/login')]) == 1   # logs in once


def test_login_token_from_cookie_only():
    class S(FakeMidonet):
        def request(self, method, url, **kw):
            if url.endswith('/login'):
                self.log.append((method, url, kw.get('headers'), None))
                return FakeResponse(200, None, {'Set-Cookie': 'sessionId=%s; Expires=x' % self.token})
            return FakeMidonet.request(self, method, url, **kw)
    api = S(5, auth=('u', 'p'))
    c = client_for(api, username='u', password='p')
    c.list_hosts()
    assert api.log[-1][2]['X-Auth-Token'] == api.token


def test_login_failure_message_has_no_password():
    api = FakeMidonet(1, auth=('admin', 'right'))
    c = client_for(api, username='admin', password='Wr0ngPassw0rd')
    with pytest.raises(MidonetError) as exc:
        c.get_root()
    assert 'login failed (HTTP 401)' in str(exc.value)
    assert BASE + '/login' in str(exc.value)
    assert 'Wr0ngPassw0rd' not in str(exc.value)


def test_given_token_and_401():
    api = FakeMidonet(5, auth=('admin', 'x'))
    c = client_for(api, token=api.token)
    c.list_zones()
    assert api.log[-1][2]['X-Auth-Token'] == api.token
    c = client_for(api, token='bad-token-value')
    with pytest.raises(MidonetError) as exc:
        c.list_zones()
    assert exc.value.status == 401 and 'rejected the given token' in str(exc.value)
    assert 'bad-token-value' not in str(exc.value)
    c = client_for(api)
    with pytest.raises(MidonetError, match='requires authentication'):
        c.list_zones()


@pytest.mark.parametrize('status,pattern', [
    (403, 'HTTP 403 Forbidden'),
    (503, 'server error \\(HTTP 503\\).*Can not access topology information'),
    (500, 'server error \\(HTTP 500\\)'),
    (406, 'failed \\(HTTP 406\\)'),
])
def test_error_mapping(status, pattern):
    class S(object):
        def request(self, *a, **k):
            return FakeResponse(status, {'message': 'Can not access topology information', 'code': status})
    c = MidonetClient('http://u:pw@h:1/midonet-api', session=S())
    with pytest.raises(MidonetError) as exc:
        c.list_hosts()
    assert re.search(pattern, str(exc.value))
    assert 'http://h:1/midonet-api/hosts' in str(exc.value)
    assert 'u:pw@' not in str(exc.value)
    assert exc.value.status == status


def test_unreachable():
    requests = pytest.importorskip('requests')

    class S(object):
        def request(self, method, url, **k):
            raise requests.exceptions.ConnectionError('HTTPConnectionPool(host=h, port=1): refused')
    c = MidonetClient('http://admin:topsecret@h:1/midonet-api', session=S())
    with pytest.raises(MidonetError) as exc:
        c.get_root()
    assert 'MidoNet API unreachable: GET http://h:1/midonet-api/' in str(exc.value)
    assert 'topsecret' not in str(exc.value)
    assert c.api_calls() == {'GET': 1, 'total': 1}


def test_validation_body_detail():
    body = {'message': 'Validation error(s) found', 'code': 400,
            'violations': [{'property': 'ipAddress', 'message': 'is an invalid IP format'}]}
    assert mn._error_detail(body) == 'Validation error(s) found (ipAddress: is an invalid IP format)'


# ------------------------------------------------------------------ ensure_tunnel_zone end to end on the fake

def members(*pairs):
    return [{'host': h, 'address': a} for h, a in pairs]


@FLAVORS
def test_converge_create_noop_readdress_purge_absent(flavor):
    api = FakeMidonet(flavor)
    c = client_for(api)
    r = ensure_tunnel_zone(c, 'mido-tz', 'gre', 'present',
                           members(('clc.euca', '10.1.0.1'), (H2, '10.1.0.2')), False, want_diff=True)
    assert r['changed']
    zid = r['tunnel_zone']['id']
    assert api.members[zid] == {H1: '10.1.0.1', H2: '10.1.0.2'}
    assert r['api_calls'] == {'GET': 3, 'POST': 3, 'total': 6}    # root, zones, hosts; zone + 2 members
    assert r['diff']['before'] == {'tunnel_zone': None, 'members': []}
    assert {'host': 'nc1.euca', 'host_id': H2, 'address': '10.1.0.2'} in r['diff']['after']['members']

    # no-op: only GETs (root, zones, hosts, members)
    c = client_for(api)
    r = ensure_tunnel_zone(c, 'mido-tz', 'gre', 'present',
                           members(('clc.euca', '10.1.0.1'), ('nc1.euca', '10.1.0.2')), True)
    assert not r['changed']
    assert r['api_calls'] == {'GET': 4, 'total': 4}

    # re-address one (delete + add), purge the other
    n = len(api.writes())
    r = ensure_tunnel_zone(client_for(api), 'mido-tz', 'gre', 'present',
                           members(('nc1.euca', '10.1.0.22')), True, want_diff=True)
    assert r['changed'] and r['plan'] == {'add': [], 'remove': ['clc.euca'], 'readdress': ['nc1.euca']}
    assert api.members[zid] == {H2: '10.1.0.22'}
    assert [m for m, u in api.writes()[n:]] == ['DELETE', 'DELETE', 'POST']

    # absent
    r = ensure_tunnel_zone(client_for(api), 'mido-tz', 'gre', 'absent', None, False)
    assert r['changed'] and zid not in api.zones
    r = ensure_tunnel_zone(client_for(api), 'mido-tz', 'gre', 'absent', None, False)
    assert not r['changed'] and r['api_calls'] == {'GET': 2, 'total': 2}


@FLAVORS
def test_check_mode_writes_nothing(flavor):
    api = FakeMidonet(flavor)
    r = ensure_tunnel_zone(client_for(api), 'mido-tz', 'gre', 'present',
                           members(('clc.euca', '10.1.0.1')), False, check_mode=True, want_diff=True)
    assert r['changed'] and r['tunnel_zone'] == {'id': None, 'name': 'mido-tz', 'type': 'gre'}
    assert r['members'] == [{'host': 'clc.euca', 'host_id': H1, 'address': '10.1.0.1'}]
    assert api.writes() == [] and api.zones == {}
    zid = api.seed_zone('mido-tz', members={H1: '10.1.0.1'})
    r = ensure_tunnel_zone(client_for(api), 'mido-tz', 'gre', 'absent', None, False, check_mode=True)
    assert r['changed'] and zid in api.zones and api.writes() == []


@FLAVORS
def test_not_substring_zone(flavor):
    api = FakeMidonet(flavor)
    other = api.seed_zone('euca-mido2', members={H1: '10.9.9.9'})
    r = ensure_tunnel_zone(client_for(api), 'euca-mido', 'gre', 'present', members(('clc.euca', '10.1.0.1')), True)
    assert r['changed'] and r['tunnel_zone']['id'] != other
    assert api.members[other] == {H1: '10.9.9.9'}
    r = ensure_tunnel_zone(client_for(api), 'euca', 'gre', 'absent', None, False)
    assert not r['changed'] and len(api.zones) == 2


@FLAVORS
def test_case_variant_refused(flavor):
    api = FakeMidonet(flavor)
    api.seed_zone('Mido-TZ')
    with pytest.raises(MidonetError, match='differing only in case'):
        ensure_tunnel_zone(client_for(api), 'mido-tz', 'gre', 'present', None, False)
    assert api.writes() == []
    r = ensure_tunnel_zone(client_for(api), 'mido-tz', 'gre', 'absent', None, False)
    assert not r['changed'] and len(api.zones) == 1 and r['warnings']


@FLAVORS
def test_validation_before_any_write(flavor):
    api = FakeMidonet(flavor)
    for spec, pattern in [
        (members(('ghost.euca', '10.1.0.1')), "unknown host 'ghost.euca'"),
        (members(('clc.euca', '10.1.0.256')), 'not a valid IPv4'),
        (members(('clc.euca', '10.1.0.1'), (H1, '10.1.0.2')), 'listed twice'),
        (members(('nc1', '10.1.0.1')), "unknown host 'nc1'"),
    ]:
        with pytest.raises(MidonetError, match=pattern) as exc:
            ensure_tunnel_zone(client_for(api), 'mido-tz', 'gre', 'present', spec, False)
        assert 'nothing was changed' in str(exc.value)
    assert api.writes() == [] and api.zones == {}


@FLAVORS
def test_type_change_refused(flavor):
    api = FakeMidonet(flavor)
    api.seed_zone('mido-tz', 'gre')
    with pytest.raises(MidonetError, match="has type 'gre', not 'vxlan'"):
        ensure_tunnel_zone(client_for(api), 'mido-tz', 'vxlan', 'present', None, False)
    assert api.writes() == []


@FLAVORS
def test_members_omitted_not_managed(flavor):
    api = FakeMidonet(flavor)
    zid = api.seed_zone('mido-tz', members={H1: '10.1.0.1', 'feedface-0000-0000-0000-000000000000': '10.1.0.5'})
    r = ensure_tunnel_zone(client_for(api), 'mido-tz', 'gre', 'present', None, True)
    assert not r['changed'] and len(r['members']) == 2
    r = ensure_tunnel_zone(client_for(api), 'mido-tz', 'gre', 'present', [], True)
    assert r['changed'] and api.members[zid] == {}


@FLAVORS
def test_concurrent_add_same_address_is_fine(flavor):
    api = FakeMidonet(flavor)
    zid = api.seed_zone('mido-tz')
    c = client_for(api)
    plan = mn.plan_members([], [{'host': 'clc.euca', 'host_id': H1, 'address': '10.1.0.1'}], False)
    api.members[zid][H1] = '10.1.0.1'      # someone else was faster
    mn._apply_member_plan(c, zid, plan)
    api.members[zid][H1] = '10.1.0.9'
    with pytest.raises(MidonetError, match='already a member'):
        mn._apply_member_plan(c, zid, plan)


def test_login_sends_basic_auth_and_project():
    api = FakeMidonet(5, auth=('admin', 'pw'))
    client_for(api, username='admin', password='pw', project='p1').login()
    method, url, headers, data = api.log[0]
    assert (method, url) == ('GET', BASE + '/login')
    assert headers['X-Auth-Project'] == 'p1' and 'X-Auth-Token' not in headers


def test_noop_with_login_is_gets_only():
    api = FakeMidonet(1, auth=('admin', 'pw'))
    api.seed_zone('mido-tz', members={H1: '10.1.0.1'})
    r = ensure_tunnel_zone(client_for(api, username='admin', password='pw'), 'mido-tz', 'gre', 'present',
                           members(('clc.euca', '10.1.0.1')), True)
    assert not r['changed'] and r['api_calls'] == {'GET': 5, 'total': 5}   # login + 4


def test_login_falls_back_to_post_on_405():
    class S(FakeMidonet):
        def request(self, method, url, **kw):
            if url.endswith('/login') and method == 'GET':
                self.log.append((method, url, kw.get('headers'), None))
                return FakeResponse(405)
            return FakeMidonet.request(self, method, url, **kw)
    api = S(5, auth=('a', 'b'))
    c = client_for(api, username='a', password='b')
    c.list_hosts()
    assert [m for m, u, h, d in api.log] == ['GET', 'POST', 'GET']
