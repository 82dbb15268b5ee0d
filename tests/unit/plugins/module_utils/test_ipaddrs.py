from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.eucalyptus.cloud.plugins.module_utils import ipaddrs


def test_forms_and_dedup():
    got = ipaddrs.normalize(["203.0.113.5", "203.0.113.5/32", "10.0.0.0/24", "198.51.100.1-198.51.100.3",
                             "1.1.1.1, 2.2.2.2", "198.51.100.2", "192.0.2.1 - 192.0.2.2"])
    assert got == ["1.1.1.1/32", "2.2.2.2/32", "10.0.0.0/24", "192.0.2.1/32", "192.0.2.2/32",
                   "198.51.100.1/32", "198.51.100.2/32", "198.51.100.3/32", "203.0.113.5/32"]


def test_numeric_sort():
    assert ipaddrs.normalize(["10.0.0.10", "10.0.0.9", "9.255.255.255"]) == [
        "9.255.255.255/32", "10.0.0.9/32", "10.0.0.10/32"]
    assert ipaddrs.sort_cidrs(["10.0.0.0/24", "10.0.0.0/8", "2.0.0.0/32"]) == ["2.0.0.0/32", "10.0.0.0/8", "10.0.0.0/24"]


def test_host_bits_names_the_network():
    with pytest.raises(ipaddrs.AddressError) as exc:
        ipaddrs.normalize(["10.0.0.1/24"])
    assert "10.0.0.0/24" in str(exc.value)


@pytest.mark.parametrize("bad", ["1.2.3", "256.1.1.1", "010.1.1.1", "1.2.3.4/33", "1.2.3.4/", "x",
                                 "1.2.3.4-1.2.3.1", "10.0.0.0-10.9.0.0", "", "1.2.3.4/024", "::1"])
def test_bad(bad):
    with pytest.raises(ipaddrs.AddressError):
        ipaddrs.normalize([bad])


def test_range_is_one_32_per_address():
    got = ipaddrs.normalize(["203.0.113.250-203.0.114.1"])
    assert len(got) == 8 and got[0] == "203.0.113.250/32" and got[-1] == "203.0.114.1/32"


def test_parse_entries_keys():
    assert ipaddrs.parse_entries(["10.0.0.0/24", "10.0.0.1"]) == {(0x0a000000, 24), (0x0a000001, 32)}


def test_interface_address():
    assert ipaddrs.parse_interface_address("172.19.0.2/30") == ("inet", "172.19.0.2/30")
    assert ipaddrs.parse_interface_address("2001:db8::1/64") == ("inet6", "2001:db8::1/64")
    for bad in ("172.19.0.2", "172.19.0.2/33", "foo/24", "172.19.0.2/-1"):
        with pytest.raises(ipaddrs.AddressError):
            ipaddrs.parse_interface_address(bad)


def test_canonical_cidr():
    assert ipaddrs.canonical_cidr("default") == "0.0.0.0/0"
    assert ipaddrs.canonical_cidr("203.0.113.5") == "203.0.113.5/32"
    assert ipaddrs.canonical_cidr("fe80::/64") is None


def test_invocation_summarises_long_lists():
    inv = ipaddrs.invocation({"sources": [str(i) for i in range(200)], "x": 1})
    assert len(inv["module_args"]["sources"]) == 51 and inv["module_args"]["x"] == 1


def _outcome(items):
    try:
        return ipaddrs.normalize(items)
    except ipaddrs.AddressError as exc:
        return "error: %s" % exc


PLAIN = ["203.0.113.%d" % i for i in range(60)]


@pytest.mark.parametrize("tail", [
    [], ["198.51.100.0/24", "192.0.2.1-192.0.2.9"],             # plain words of every form: packed
    ["192.0.2.1 - 192.0.2.9"], ["1.2.3.4,5.6.7.8"], [" 1.2.3.4 "],  # blanks, commas: left as items
    ["1.2.3.4 -", "1.2.3.9"], ["1.2.3.4-", "1.2.3.9"], ["-", "1.2.3.9"],  # edge dashes cannot join
    [""], [None], [7], [["1.2.3.4"]], [True], ["010.1.1.1"], ["10.0.0.1/24"], ["1.2.3.4/33"], ["x"],
])
def test_pack_words_reads_like_the_list(tail):
    items = PLAIN[:30] + tail + PLAIN[30:]
    packed = ipaddrs.pack_words(items)
    assert len(packed) < len(items)
    assert _outcome(packed) == _outcome(items)       # same CIDRs, or the same first error


def test_pack_words_keeps_order_and_short_lists():
    assert ipaddrs.pack_words(PLAIN[:49]) == PLAIN[:49]
    assert ipaddrs.pack_words(PLAIN) == [" ".join(PLAIN)]
    assert ipaddrs.pack_words(PLAIN[:25] + [""] + PLAIN[25:]) == [" ".join(PLAIN[:25]), "", " ".join(PLAIN[25:])]
    assert ipaddrs.pack_words("203.0.113.1") == "203.0.113.1"


def test_invocation_summarises_packed_lists():
    inv = ipaddrs.invocation({"sources": ipaddrs.pack_words(PLAIN * 10)})
    assert inv["module_args"]["sources"] == [" ".join(PLAIN[:50]) + " ... 550 more"]
