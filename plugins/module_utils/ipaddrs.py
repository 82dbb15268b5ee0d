# -*- coding: utf-8 -*-
# Copyright: contributors to the eucalyptus.cloud collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse and normalise IPv4 address lists (Eucalyptus VNET_PUBLICIPS / network.json PublicIps style).

Accepted forms, one per list item (items may also hold several forms separated by blanks or commas):

* ``203.0.113.5``            -> ``203.0.113.5/32``
* ``203.0.113.5/32``         -> ``203.0.113.5/32``
* ``10.0.0.0/24``            -> ``10.0.0.0/24`` (one network entry)
* ``203.0.113.10-203.0.113.20`` -> one ``/32`` per address (as the seed does one route per public IP)

A CIDR with host bits set (``10.0.0.1/24``) is rejected and the error names the network.
The hot path (plain dotted quads, which is what thousands of public IPs are) avoids creating
netaddr objects; netaddr is used for validation of the less common forms.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re
import socket
import struct
import traceback

from ansible.module_utils.common.text.converters import to_native

try:
    import netaddr
    HAS_NETADDR = True
    NETADDR_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - depends on the target
    netaddr = None
    HAS_NETADDR = False
    NETADDR_IMPORT_ERROR = traceback.format_exc()

# six.string_types without ansible.module_utils.six (deprecated in ansible-core 2.20):
# str on Python 3, str and unicode on Python 2.
string_types = (str, type(u''))

# Largest range accepted in one ``A-B`` item: a guard against typos such as 10.0.0.1-10.9.0.1.
MAX_RANGE = 65536

_DIGITS = frozenset('0123456789')


class AddressError(ValueError):
    """Raised for an entry that is not a valid IPv4 address, CIDR or range."""


def _octets(text):
    """Return the integer of a strict dotted quad, or None when ``text`` is not one."""
    parts = text.split('.')
    if len(parts) != 4:
        return None
    value = 0
    for part in parts:
        if not part or len(part) > 3 or not _DIGITS.issuperset(part):
            return None
        if len(part) > 1 and part[0] == '0':
            # 010.0.0.1 is octal to inet_aton and decimal to others: refuse the ambiguity.
            return None
        octet = int(part)
        if octet > 255:
            return None
        value = (value << 8) | octet
    return value


def int_to_ip(value):
    """Dotted quad of an IPv4 integer."""
    return socket.inet_ntoa(struct.pack('!I', value))


def _pton(text):
    """Packed address of a strict dotted quad (C speed), or None. inet_pton refuses leading zeros."""
    try:
        return socket.inet_pton(socket.AF_INET, text)
    except (socket.error, ValueError, TypeError, UnicodeError):
        return None


def ip_to_int(text):
    """Integer of a strict dotted quad; AddressError if it is not one."""
    value = _octets(text)
    if value is None:
        raise AddressError('%r is not a valid IPv4 address' % (text,))
    return value


def _parse_cidr(text):
    """Return (network_int, prefixlen) for ``a.b.c.d/n``; fail on host bits."""
    addr, _sep, plen = text.partition('/')
    value = _octets(addr)
    if value is None or not plen or not _DIGITS.issuperset(plen) or int(plen) > 32 or (len(plen) > 1 and plen[0] == '0'):
        raise AddressError('%r is not a valid IPv4 address or CIDR' % (text,))
    plen = int(plen)
    mask = ((0xffffffff << (32 - plen)) & 0xffffffff) if plen else 0
    if value & mask != value:
        raise AddressError('%r has host bits set: the network is %s/%d (or use %s/32 for the single address)'
                           % (text, int_to_ip(value & mask), plen, addr))
    return value, plen


def _parse_range(text):
    first, _sep, last = text.partition('-')
    first, last = first.strip(), last.strip()
    lo = _octets(first)
    hi = _octets(last)
    if lo is None or hi is None:
        raise AddressError('%r is not a valid IPv4 range (expected A.B.C.D-E.F.G.H)' % (text,))
    if hi < lo:
        raise AddressError('%r is not a valid IPv4 range: %s comes after %s' % (text, first, last))
    if hi - lo + 1 > MAX_RANGE:
        raise AddressError('%r spans %d addresses, more than the %d allowed in one range'
                           % (text, hi - lo + 1, MAX_RANGE))
    if netaddr is not None:
        # Cross-check with netaddr (cheap: one object per range, not per address).
        rng = netaddr.IPRange(first, last)
        if int(rng.first) != lo or int(rng.last) != hi:  # pragma: no cover - defensive
            raise AddressError('%r could not be parsed consistently' % (text,))
    return lo, hi


def _split_items(items):
    out = []
    for item in items:
        if item is None:
            raise AddressError('empty entry in the address list')
        if not isinstance(item, string_types):
            if isinstance(item, (list, dict, bool)):
                raise AddressError('%r is not an address, CIDR or range' % (item,))
            item = to_native(item)
        text = item.replace(',', ' ')
        # "A - B" with blanks around the dash is one range, not three words.
        while ' -' in text or '- ' in text:
            text = text.replace(' -', '-').replace('- ', '-')
        words = text.split()
        if not words:
            raise AddressError('empty entry in the address list')
        out.extend(words)
    return out


def parse_entries(items):
    """Parse a list of addresses/CIDRs/ranges into a set of (network_int, prefixlen) keys.

    Raises AddressError with a message naming the first bad entry.
    """
    keys = set()
    add = keys.add
    for word in _split_items(items):
        value = _octets(word)
        if value is not None:           # hot path: plain address
            add((value, 32))
        elif '/' in word:
            add(_parse_cidr(word))
        elif '-' in word:
            lo, hi = _parse_range(word)
            for value in range(lo, hi + 1):
                add((value, 32))
        else:
            raise AddressError('%r is not a valid IPv4 address, CIDR or range' % (word,))
    return keys


def key_to_cidr(key):
    return '%s/%d' % (int_to_ip(key[0]), key[1])


def normalize(items):
    """Sorted, de-duplicated list of normalised CIDR strings (``a.b.c.d/n``).

    Hot path: a plain address is checked by inet_pton and becomes ``addr + '/32'`` without any
    integer or object conversion; the sort key is the packed address.
    """
    keys = {}
    pton = _pton
    for word in _split_items(items):
        packed = pton(word)
        if packed is not None:
            keys[word + '/32'] = (packed, 32)
            continue
        if '/' in word:
            value, plen = _parse_cidr(word)
        elif '-' in word:
            lo, hi = _parse_range(word)
            for value in range(lo, hi + 1):
                packed = struct.pack('!I', value)
                keys[socket.inet_ntoa(packed) + '/32'] = (packed, 32)
            continue
        else:
            raise AddressError('%r is not a valid IPv4 address, CIDR or range' % (word,))
        packed = struct.pack('!I', value)
        keys[socket.inet_ntoa(packed) + '/%d' % plen] = (packed, plen)
    return sorted(keys, key=keys.__getitem__)


def canonical_cidr(text):
    """Normalise a CIDR or address as printed by ``ip``/``iptables-save`` (``default`` is 0.0.0.0/0).

    Unlike :func:`parse_entries` this is lenient about host bits (they cannot occur in kernel output)
    and returns None for anything that is not IPv4.
    """
    if text == 'default':
        return '0.0.0.0/0'
    if '/' in text:
        addr, _sep, plen = text.partition('/')
        if _octets(addr) is None:
            return None
        return text
    if _octets(text) is None:
        return None
    return text + '/32'


def sort_cidrs(cidrs):
    """Sort CIDR strings numerically (by packed address, then prefix length)."""
    pton = _pton

    def _key(c):
        addr, _sep, plen = c.partition('/')
        return (pton(addr) or b'', len(plen), plen, c)
    return sorted(cidrs, key=_key)


def parse_interface_address(text):
    """Validate an interface address in CIDR form (``172.19.0.2/30``); return (family, 'addr/plen').

    Host bits are expected here (it is an address on an interface), so netaddr is used to
    validate rather than :func:`parse_entries`. IPv4 and IPv6 are accepted.
    """
    if not isinstance(text, string_types) or '/' not in text:
        raise AddressError('%r is not an address in CIDR form (e.g. 172.19.0.2/30)' % (text,))
    addr, _sep, plen = text.partition('/')
    if netaddr is None:  # pragma: no cover - modules fail earlier
        raise AddressError('netaddr is required')
    try:
        if ':' in addr:
            ip = netaddr.IPAddress(addr, 6)
            family, maxlen = 'inet6', 128
        else:
            if _octets(addr) is None:
                raise AddressError('%r is not a valid IPv4 address' % (addr,))
            ip = netaddr.IPAddress(addr, 4)
            family, maxlen = 'inet', 32
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise AddressError('%r is not an address in CIDR form (e.g. 172.19.0.2/30)' % (text,))
    if not plen or not _DIGITS.issuperset(plen) or int(plen) > maxlen or (len(plen) > 1 and plen[0] == '0'):
        raise AddressError('%r has an invalid prefix length' % (text,))
    return family, '%s/%d' % (ip, int(plen))


def validate_gateway(text):
    """Validate a next-hop IPv4 address; return it normalised."""
    if not isinstance(text, string_types) or _octets(text.strip()) is None:
        raise AddressError('gateway %r is not a valid IPv4 address' % (text,))
    return text.strip()


# A list item that is one address, CIDR or range and nothing else (no blank, comma or edge dash).
_PLAIN_WORD = re.compile(r'[0-9][0-9./-]*[0-9]\Z')

# pack_words leaves shorter lists alone (they cost nothing and read better in -vvv output).
PACK_MIN = 50


def pack_words(items, min_items=PACK_MIN):
    """Join each run of plain address items into one blank-separated item (used on the controller).

    :func:`normalize` reads the packed list exactly as the original one, word by word in the same
    order (an item may hold several words; a plain word has no blank, comma or edge dash that could
    join it to its neighbour), so results and error messages are the same. Anything else (CIDR
    lists with commas, ``A - B``, empty strings, numbers, None...) stays an item of its own, in place.
    A 10 000-item list becomes one string: ansible-core then encodes, copies, validates and sends
    back (in the task's fields, with a data tag per item on 2.19) one value instead of 10 000.
    """
    if not isinstance(items, list) or len(items) < min_items:
        return items
    out = []
    run = []
    match = _PLAIN_WORD.match
    for item in items:
        if isinstance(item, string_types) and match(item):
            run.append(item)
            continue
        if run:
            out.append(' '.join(run))
            run = []
        out.append(item)
    if run:
        out.append(' '.join(run))
    return out


def invocation(params, limit=50):
    """``invocation`` for exit_json with long address lists summarised.

    AnsibleModule echoes all parameters back; with 10 000 public IPs that echo costs the controller
    more than the module's own work, and the lists are returned normalised anyway. A list packed by
    :func:`pack_words` is summarised the same way, by words.
    """
    args = {}
    for key, value in params.items():
        if isinstance(value, list):
            if len(value) > limit:
                value = value[:limit] + ['... %d more' % (len(value) - limit)]
            short = []
            for item in value:
                if isinstance(item, string_types) and len(item) > 20 * limit:
                    words = item.split()
                    if len(words) > limit:
                        item = '%s ... %d more' % (' '.join(words[:limit]), len(words) - limit)
                short.append(item)
            value = short
        args[key] = value
    return {'module_args': args}
