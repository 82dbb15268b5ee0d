# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MidoNet REST API client and tunnel-zone planning for the eucalyptus.cloud collection.

This is the ONE place that talks HTTP to MidoNet (layering as in kubernetes.core/netbox):

* ``MidonetClient``: session, authentication (login or given token), vendor media types,
  error mapping (unreachable / 401 / 403 / 5xx), request counting per HTTP method, and the
  MidoNet 1.x versus 5.x differences (duplicate = 400 vs 409, removing a non-member = 204 vs 404).
* Pure planning functions (``find_zone``, ``resolve_members``, ``plan_members``, ...), unit-tested
  without any HTTP.
* ``run_tunnel_zone`` / ``run_host_info``: the bodies of the two modules.

Valid on Python 2.7 and 3.6+ (EL7 targets).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import re
import time
import traceback

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.six.moves.urllib.parse import unquote, urlsplit, urlunsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    HAS_REQUESTS = True
except ImportError:  # pragma: no cover - exercised on targets without requests
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()


# ---------------------------------------------------------------------------------------------
# Shared argument spec (documented in plugins/doc_fragments/midonet.py)
# ---------------------------------------------------------------------------------------------

MIDONET_COMMON_ARGS = dict(
    api_url=dict(type='str', required=True),
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    project=dict(type='str'),
    token=dict(type='str', no_log=True),
    validate_certs=dict(type='bool', default=True),
    timeout=dict(type='int', default=30),
)

MIDONET_COMMON_KWARGS = dict(
    required_together=[['username', 'password']],
    mutually_exclusive=[['token', 'username'], ['token', 'password']],
)


# ---------------------------------------------------------------------------------------------
# Media types (identical in 1.9 and 5.2, reference section 3.1 and 4)
# ---------------------------------------------------------------------------------------------

MT_JSON = 'application/json'
MT_TUNNEL_ZONE = 'application/vnd.org.midonet.TunnelZone-v1+json'
MT_TUNNEL_ZONE_COLLECTION = 'application/vnd.org.midonet.collection.TunnelZone-v1+json'
MT_TUNNEL_ZONE_HOST = 'application/vnd.org.midonet.TunnelZoneHost-v1+json'
MT_TUNNEL_ZONE_HOST_COLLECTION = 'application/vnd.org.midonet.collection.TunnelZoneHost-v1+json'
MT_HOST = 'application/vnd.org.midonet.Host-v3+json'
MT_HOST_COLLECTION = 'application/vnd.org.midonet.collection.Host-v3+json'

ZONE_TYPES = ('gre', 'vxlan', 'vtep')

_IPV4_RE = re.compile(r'^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
                      r'(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$')
_UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


def is_ipv4(value):
    """True for a dotted-quad IPv4 address (the API's ``IPv4.regex``; no leading zeros)."""
    return bool(value) and bool(_IPV4_RE.match(str(value)))


def is_uuid(value):
    return bool(value) and bool(_UUID_RE.match(str(value)))


def safe_url(url):
    """``url`` without any ``user:password@`` part (for messages and results)."""
    try:
        parts = urlsplit(url)
    except Exception:  # pragma: no cover - urlsplit hardly ever raises
        return '<url>'
    netloc = parts.netloc
    if '@' in netloc:
        netloc = netloc.rsplit('@', 1)[1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def url_credentials(url):
    """``(username, password)`` from the ``user:password@`` part of ``url`` (percent-decoded),
    ``(None, None)`` when it has none."""
    try:
        parts = urlsplit(url or '')
    except Exception:  # pragma: no cover - urlsplit hardly ever raises
        return None, None
    if '@' not in parts.netloc:
        return None, None
    userinfo = parts.netloc.rsplit('@', 1)[0]
    user, sep, password = userinfo.partition(':')
    return unquote(user), (unquote(password) if sep else None)


def protect_api_url(module):
    """Keep a ``user:password@`` in ``api_url`` out of everything the module returns.

    The password (as written and percent-decoded) joins the module's no_log values, so Ansible masks
    it in every result and message; ``api_url`` itself is replaced in ``module.params`` by the URL
    without userinfo, so the ``invocation`` Ansible echoes (shown at -v and above) is still a useful
    URL. Returns the URL as given, for the client (it logs in with those credentials).
    """
    raw = module.params.get('api_url')
    user, password = url_credentials(raw)
    if user is None:
        return raw
    if password:
        module.no_log_values.add(password)
        try:
            userinfo = urlsplit(raw).netloc.rsplit('@', 1)[0]
            module.no_log_values.add(userinfo.partition(':')[2])
        except Exception:  # pragma: no cover
            pass
    module.params['api_url'] = safe_url(raw)
    return raw


def api_major(version):
    """Major API line from the root document's ``version`` (``"v1.9"`` -> 1, ``"v5.0"`` -> 5).

    Returns 5 for anything unparseable (the current line); both lines' status codes are
    absorbed anyway, the version only decides which one is *expected*.
    """
    match = re.match(r'^\s*v?(\d+)', str(version or ''))
    if not match:
        return 5
    return 5 if int(match.group(1)) >= 5 else 1


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

class MidonetError(Exception):
    """An API failure with a message fit for the user (no secrets), the URL and HTTP status."""

    def __init__(self, msg, url=None, status=None, body=None):
        super(MidonetError, self).__init__(msg)
        self.msg = msg
        self.url = url
        self.status = status
        self.body = body

    def __str__(self):
        return self.msg


def _error_detail(body):
    """Human text from an Error-v1 / validation body (``message`` plus ``violations``)."""
    if isinstance(body, dict):
        text = body.get('message') or ''
        violations = body.get('violations') or []
        parts = []
        for v in violations:
            if isinstance(v, dict):
                parts.append('%s: %s' % (v.get('property'), v.get('message')))
        if parts:
            text = '%s (%s)' % (text, '; '.join(parts)) if text else '; '.join(parts)
        return text
    if body:
        return str(body)[:300]
    return ''


def _mentions_exists(body):
    text = _error_detail(body).lower()
    return 'already exist' in text


# ---------------------------------------------------------------------------------------------
# Client
# ---------------------------------------------------------------------------------------------

class MidonetClient(object):
    """A small MidoNet REST client: one ``requests.Session``, counted requests.

    ``session`` may be injected (unit tests pass a fake with a ``request`` method).
    """

    def __init__(self, api_url, username=None, password=None, project=None, token=None,
                 validate_certs=True, timeout=30, session=None):
        self.api_url = (api_url or '').rstrip('/')
        self.display_url = safe_url(self.api_url)
        self._username = username
        self._password = password
        self._project = project
        self._token = token
        self.timeout = timeout
        self.calls = {}
        self.root = None
        self.major = None
        self.version = None
        if session is None:
            if not HAS_REQUESTS:
                raise MidonetError(missing_required_lib('requests'))
            session = requests.Session()
        self.session = session
        try:
            self.session.verify = validate_certs
        except AttributeError:  # pragma: no cover
            pass

    # -- low level --------------------------------------------------------------------------

    def url(self, *segments):
        return '/'.join([self.api_url] + [str(s).strip('/') for s in segments])

    def _count(self, method):
        self.calls[method] = self.calls.get(method, 0) + 1

    def api_calls(self):
        out = dict(self.calls)
        out['total'] = sum(self.calls.values())
        return out

    def _headers(self, accept=None, content_type=None):
        headers = {}
        if accept:
            headers['Accept'] = accept
        if content_type:
            headers['Content-Type'] = content_type
        if self._token:
            headers['X-Auth-Token'] = self._token
        if self._project:
            headers['X-Auth-Project'] = self._project
        return headers

    def _send(self, method, url, headers, data=None, auth=None):
        self._count(method)
        shown = safe_url(url)
        try:
            return self.session.request(method, url, headers=headers, data=data, auth=auth,
                                        timeout=self.timeout, allow_redirects=True)
        except Exception as exc:
            # requests' exception text names host/port/path only, never headers or auth.
            kind = type(exc).__name__
            if HAS_REQUESTS and isinstance(exc, requests.exceptions.SSLError):
                reason = 'TLS error (set validate_certs=false for a self-signed certificate)'
            elif HAS_REQUESTS and isinstance(exc, requests.exceptions.Timeout):
                reason = 'timed out after %ss' % self.timeout
            elif HAS_REQUESTS and isinstance(exc, requests.exceptions.ConnectionError):
                reason = 'connection failed (is midonet-api / midonet-cluster running?)'
            else:
                reason = kind
            raise MidonetError('MidoNet API unreachable: %s %s: %s [%s]'
                               % (method, shown, reason, self._scrub(str(exc))), url=shown)

    def _scrub(self, text):
        """Remove any secret that could have slipped into a text."""
        for secret in (self._password, self._token):
            if secret:
                text = text.replace(secret, '********')
        return text

    @staticmethod
    def _body(resp):
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            try:
                return resp.text
            except Exception:  # pragma: no cover
                return None

    def request(self, method, url, accept=None, content_type=None, payload=None, ok=(200,)):
        """One API call; returns ``(status, body, response)``; raises MidonetError otherwise.

        Statuses in ``ok`` are returned; so is any 4xx the caller wants to interpret (pass it in
        ``ok``). 401/403/5xx and the rest become MidonetError with a clear message.
        """
        if self._token is None and self._username:
            self.login()
        data = json.dumps(payload) if payload is not None else None
        resp = self._send(method, url, self._headers(accept, content_type), data=data)
        body = self._body(resp)
        if resp.status_code in ok:
            return resp.status_code, body, resp
        raise self._http_error(method, url, resp.status_code, body)

    def _http_error(self, method, url, status, body):
        shown = safe_url(url)
        detail = self._scrub(_error_detail(body))
        suffix = (': %s' % detail) if detail else ''
        if status == 401:
            if self._username:
                hint = 'the API rejected the token obtained by logging in as \'%s\'' % self._username
            elif self._token:
                hint = 'the API rejected the given token'
            else:
                hint = 'the API requires authentication: set username/password or token'
            msg = 'MidoNet API authentication failed (HTTP 401) for %s %s; %s%s' % (
                method, shown, hint, suffix)
        elif status == 403:
            msg = ('MidoNet API refused %s %s (HTTP 403 Forbidden): the user needs the admin '
                   'role for tunnel zones and hosts%s' % (method, shown, suffix))
        elif status >= 500:
            msg = 'MidoNet API server error (HTTP %d) for %s %s%s' % (status, method, shown, suffix)
        elif status == 415:
            msg = 'MidoNet API rejected the media type (HTTP 415) for %s %s%s' % (method, shown, suffix)
        else:
            msg = 'MidoNet API request %s %s failed (HTTP %d)%s' % (method, shown, status, suffix)
        return MidonetError(msg, url=shown, status=status, body=body)

    # -- auth ---------------------------------------------------------------------------------

    def login(self):
        """Log in at ``{api_url}/login`` with Basic auth; keep the token for ``X-Auth-Token``.

        The token comes from the body's ``key`` or from ``Set-Cookie: sessionId=...``.
        MidoNet's LoginFilter (1.x and 5.x) ignores the HTTP method. GET is used (as puppet-midonet
        does) so that a run without changes is made of GETs only, login included; a server
        answering 405 gets the POST python-midonetclient sends.
        """
        url = self.url('login')
        shown = safe_url(url)
        headers = {'Accept': 'application/vnd.org.midonet.Token-v1+json'}
        if self._project:
            headers['X-Auth-Project'] = self._project
        auth = (self._username, self._password or '')
        method = 'GET'
        resp = self._send(method, url, headers, auth=auth)
        if resp.status_code == 405:
            method = 'POST'
            resp = self._send(method, url, headers, data='{}', auth=auth)
        if resp.status_code in (401, 403):
            raise MidonetError('MidoNet API login failed (HTTP %d) at %s for user \'%s\': wrong username, '
                               'password or project' % (resp.status_code, shown, self._username),
                               url=shown, status=resp.status_code)
        if resp.status_code not in (200, 201):
            raise self._http_error(method, url, resp.status_code, self._body(resp))
        token = None
        body = self._body(resp)
        if isinstance(body, dict):
            token = body.get('key') or body.get('token')
        if not token:
            cookie = resp.headers.get('Set-Cookie') or resp.headers.get('set-cookie') or ''
            match = re.search(r'sessionId=([^;]+)', cookie)
            if match:
                token = match.group(1)
        if not token:
            raise MidonetError('MidoNet API login at %s returned no token' % shown, url=shown,
                               status=resp.status_code)
        self._token = token
        return True

    # -- resources ----------------------------------------------------------------------------

    def get_root(self):
        """GET the root document; detect 1.x vs 5.x from ``version``."""
        if self.root is None:
            url = self.api_url + '/'
            dummy, body, dummy2 = self.request('GET', url, accept=MT_JSON)
            if not isinstance(body, dict) or 'version' not in body:
                raise MidonetError('%s does not look like a MidoNet API root document (no "version"); '
                                   'check api_url (e.g. http://HOST:8080/midonet-api or '
                                   'http://HOST:8181/midonet-api)' % safe_url(url), url=safe_url(url))
            self.root = body
            self.version = body.get('version')
            self.major = api_major(self.version)
        return self.root

    def _list(self, url, accept):
        dummy, body, dummy2 = self.request('GET', url, accept=accept)
        if body is None:
            return []
        if not isinstance(body, list):
            raise MidonetError('unexpected answer from %s: expected a JSON list' % safe_url(url),
                               url=safe_url(url))
        return body

    def list_zones(self):
        return self._list(self.url('tunnel_zones'), MT_TUNNEL_ZONE_COLLECTION)

    def list_hosts(self):
        return self._list(self.url('hosts'), MT_HOST_COLLECTION)

    def list_members(self, zone_id):
        return self._list(self.url('tunnel_zones', zone_id, 'hosts'), MT_TUNNEL_ZONE_HOST_COLLECTION)

    def get_member(self, zone_id, host_id):
        status, body, dummy = self.request('GET', self.url('tunnel_zones', zone_id, 'hosts', host_id),
                                           accept=MT_TUNNEL_ZONE_HOST, ok=(200, 404))
        return body if status == 200 else None

    def _post_new(self, url, media_type, payload):
        """POST a new resource with its vendor media type; return ``(body, response)``, or None
        when it already exists (5.x: 409; 1.x: 400 "already exists"). Any other 400 fails."""
        status, body, resp = self.request('POST', url, accept=media_type, content_type=media_type,
                                          payload=payload, ok=(200, 201, 400, 409))
        if status == 409 or (status == 400 and _mentions_exists(body)):
            return None
        if status == 400:
            raise self._http_error('POST', url, status, body)
        return body, resp

    def create_zone(self, name, zone_type):
        """POST a zone; return its id (from ``Location``), or None on a duplicate name
        (5.x: 409; 1.x: 400 "already exists", case-insensitive)."""
        created = self._post_new(self.url('tunnel_zones'), MT_TUNNEL_ZONE, {'name': name, 'type': zone_type})
        if created is None:
            return None
        body, resp = created
        location = resp.headers.get('Location') or ''
        zone_id = location.rstrip('/').rsplit('/', 1)[-1] if location else None
        if not zone_id and isinstance(body, dict):
            zone_id = body.get('id')
        return zone_id

    def delete_zone(self, zone_id):
        self.request('DELETE', self.url('tunnel_zones', zone_id), ok=(200, 204, 404))

    def add_member(self, zone_id, host_id, address):
        """POST a member with the vendor type (application/json gets 415).

        Returns True when created, False when the host already is a member
        (5.x: 409, empty body; 1.9: 400 "membership already exists")."""
        return self._post_new(self.url('tunnel_zones', zone_id, 'hosts'), MT_TUNNEL_ZONE_HOST,
                              {'hostId': host_id, 'ipAddress': address}) is not None

    def remove_member(self, zone_id, host_id):
        """DELETE a member; a non-member is fine (5.x: 404; 1.x: 204)."""
        status, dummy, dummy2 = self.request('DELETE', self.url('tunnel_zones', zone_id, 'hosts', host_id),
                                             ok=(200, 204, 404))
        return status != 404


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


def host_index(hosts):
    """Map host id (lower-case) -> host dict."""
    return dict((str(h.get('id')).lower(), h) for h in hosts)


def resolve_host(hosts, ref):
    """Find the host ``ref`` refers to: a UUID (case-insensitive) or an EXACT host name.

    Returns ``(host, error)``; exactly one of them is None."""
    ref = str(ref)
    if is_uuid(ref):
        for h in hosts:
            if str(h.get('id')).lower() == ref.lower():
                return h, None
    named = [h for h in hosts if h.get('name') == ref]
    if len(named) == 1:
        return named[0], None
    if len(named) > 1:
        return None, ('host name \'%s\' is ambiguous (ids %s); use the host UUID'
                      % (ref, ', '.join(sorted(str(h.get('id')) for h in named))))
    return None, 'unknown host \'%s\' (no MidoNet host has that name or UUID)' % ref


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


# ---------------------------------------------------------------------------------------------
# Module bodies
# ---------------------------------------------------------------------------------------------

def client_from_module(module, api_url=None):
    """The client for the module's parameters. ``api_url``: the URL as given (see
    :func:`protect_api_url`); a ``user:password@`` in it logs in as that user unless
    ``username`` or ``token`` is set. The client's requests never carry the userinfo."""
    p = module.params
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    url = api_url or p['api_url']
    username, password = p.get('username'), p.get('password')
    url_user, url_password = url_credentials(url)
    if url_user is not None:
        if username or p.get('token'):
            module.warn('api_url carries a user name and password; they are ignored because %s is set'
                        % ('username' if username else 'token'))
        else:
            username, password = url_user, url_password or ''
    return MidonetClient(safe_url(url), username=username, password=password,
                         project=p.get('project'), token=p.get('token'),
                         validate_certs=p.get('validate_certs', True), timeout=p.get('timeout') or 30)


def _fail(module, client, exc, **extra):
    result = dict(msg=str(exc), api_calls=client.api_calls() if client else {})
    if getattr(exc, 'status', None) is not None:
        result['status'] = exc.status
    if getattr(exc, 'url', None):
        result['url'] = exc.url
    result.update(extra)
    module.fail_json(**result)


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
        _fail(module, client, exc, **(getattr(exc, 'result', None) or {}))
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


def host_view(host):
    return dict(id=host.get('id'), name=host.get('name'), alive=bool(host.get('alive')),
                addresses=list(host.get('addresses') or []))


def select_hosts(hosts, names):
    """Pick the hosts named in ``names`` (exact name or UUID). Returns (selected, missing)."""
    if not names:
        return list(hosts), []
    selected, missing, seen = [], [], set()
    for ref in names:
        host, err = resolve_host(hosts, ref)
        if host is None:
            missing.append(ref)
            continue
        if str(host.get('id')).lower() not in seen:
            seen.add(str(host.get('id')).lower())
            selected.append(host)
    return selected, missing


def host_status(hosts, names, wait_alive):
    """Return (views, missing, not_alive) for one poll."""
    selected, missing = select_hosts(hosts, names)
    not_alive = [h.get('name') or h.get('id') for h in selected if not h.get('alive')] if wait_alive else []
    return [host_view(h) for h in selected], missing, not_alive


def run_host_info(module, sleep=time.sleep, clock=time.time):
    p = module.params
    names = p.get('names') or []
    client = None
    api_url = protect_api_url(module)
    try:
        client = client_from_module(module, api_url)
        client.get_root()
        deadline = clock() + (p.get('wait_timeout') or 0)
        while True:
            views, missing, not_alive = host_status(client.list_hosts(), names, p.get('wait_alive'))
            if not p.get('wait'):
                break
            satisfied = not missing and not not_alive and (names or views)
            if satisfied:
                break
            if clock() >= deadline:
                problems = []
                if missing:
                    problems.append('not found: %s' % ', '.join(missing))
                if not_alive:
                    problems.append('not alive: %s' % ', '.join(not_alive))
                if not names and not views:
                    problems.append('no host is registered')
                module.fail_json(msg='timed out after %ss waiting for MidoNet hosts (%s)'
                                 % (p.get('wait_timeout'), '; '.join(problems)),
                                 hosts=views, missing=missing, not_alive=not_alive,
                                 api_calls=client.api_calls())
            sleep(p.get('wait_sleep') or 2)
    except MidonetError as exc:
        _fail(module, client, exc)
    module.exit_json(changed=False, hosts=views, missing=missing, not_alive=not_alive,
                     api_version=client.version, api_calls=client.api_calls())
