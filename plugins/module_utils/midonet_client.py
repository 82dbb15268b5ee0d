# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Eucalyptus Cloud Developers (@eucalyptus)
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MidoNet REST API client for the eucalyptus.cloud collection (the ONE place that talks HTTP to
MidoNet; layering as in kubernetes.core: client here, planners and module bodies in
``midonet_tunnel_zone.py`` and ``midonet_topology.py``).

* ``MidonetClient``: session, authentication (login or given token), vendor media types per API
  line, error mapping (unreachable / 401 / 403 / 5xx), request counting per HTTP method, and the
  MidoNet 1.x versus 5.x differences (duplicate = 400 vs 409, removing a non-member = 204 vs 404).
* The shared argument spec, URL credential handling and host-reference resolution used by every
  MidoNet module; ``client_from_module`` / ``fail`` glue.

Valid on Python 2.7 and 3.6+ (EL7 targets).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import re
import traceback

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.six.moves.urllib.parse import quote, unquote, urlsplit, urlunsplit

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

# Topology collections per API line (reference section 5: 5.2 Router-v3, Bridge-v4, Port-v3;
# 1.9 Router-v2, Bridge-v2/v3, Port-v2; Route-v1 and HostInterfacePort-v1 in both). 1.x answers
# ``application/json`` with the deprecated v1 representations, so the vendor types are sent.
_VND_COLL = 'application/vnd.org.midonet.collection.%s+json'
TOPOLOGY_COLLECTION_TYPES = {
    1: dict(routers=_VND_COLL % 'Router-v2',
            bridges='%s, %s;q=0.9' % (_VND_COLL % 'Bridge-v3', _VND_COLL % 'Bridge-v2'),
            ports=_VND_COLL % 'Port-v2', routes=_VND_COLL % 'Route-v1',
            host_ports=_VND_COLL % 'HostInterfacePort-v1'),
    5: dict(routers=_VND_COLL % 'Router-v3', bridges=_VND_COLL % 'Bridge-v4',
            ports=_VND_COLL % 'Port-v3', routes=_VND_COLL % 'Route-v1',
            host_ports=_VND_COLL % 'HostInterfacePort-v1'),
}

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

    # -- topology (read-only; reference section 5) -------------------------------------------

    def topology_type(self, kind):
        """The ``Accept`` value for a collection of ``kind`` on this API line (1.x or 5.x)."""
        self.get_root()
        return TOPOLOGY_COLLECTION_TYPES[self.major][kind]

    @staticmethod
    def _tenant_query(tenant):
        return ('?tenant_id=%s' % quote(tenant, safe='')) if tenant else ''

    def list_routers(self, tenant=None):
        return self._list(self.url('routers') + self._tenant_query(tenant), self.topology_type('routers'))

    def list_bridges(self, tenant=None):
        return self._list(self.url('bridges') + self._tenant_query(tenant), self.topology_type('bridges'))

    def list_all_ports(self):
        """Every port with one ``GET /ports``, or None when the API has no such collection
        (the 1.x root document advertises no ``ports``; a 404/405 answer means the same)."""
        root = self.get_root()
        if not root.get('ports'):
            return None
        url = self.url('ports')
        status, body, dummy = self.request('GET', url, accept=self.topology_type('ports'), ok=(200, 404, 405))
        if status != 200:
            return None
        if not isinstance(body, list):
            raise MidonetError('unexpected answer from %s: expected a JSON list' % safe_url(url), url=safe_url(url))
        return body

    def list_device_ports(self, kind, device_id):
        """``kind``: ``routers`` or ``bridges``."""
        return self._list(self.url(kind, device_id, 'ports'), self.topology_type('ports'))

    def list_routes(self, router_id):
        return self._list(self.url('routers', router_id, 'routes'), self.topology_type('routes'))

    def list_host_ports(self, host_id):
        """The host-interface-port bindings of one host (``GET /hosts/{id}/ports``)."""
        return self._list(self.url('hosts', host_id, 'ports'), self.topology_type('host_ports'))


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


# ---------------------------------------------------------------------------------------------
# Module glue
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


def fail(module, client, exc, **extra):
    result = dict(msg=str(exc), api_calls=client.api_calls() if client else {})
    if getattr(exc, 'status', None) is not None:
        result['status'] = exc.status
    if getattr(exc, 'url', None):
        result['url'] = exc.url
    result.update(extra)
    module.fail_json(**result)
