import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.eucalyptus.cloud.plugins.filter.cidr_list import cidr_list
from ansible_collections.eucalyptus.cloud.plugins.module_utils import ipaddrs


def test_forms_and_order():
    assert cidr_list(["203.0.113.8", "203.0.113.5/32", "203.0.113.6-203.0.113.7", "198.51.100.0/30"]) == [
        "198.51.100.0/30", "203.0.113.5/32", "203.0.113.6/32", "203.0.113.7/32", "203.0.113.8/32"]


def test_duplicates_collapse_and_single_string():
    assert cidr_list(["203.0.113.5", "203.0.113.5/32"]) == ["203.0.113.5/32"]
    assert cidr_list("203.0.113.5") == ["203.0.113.5/32"]
    assert cidr_list(None) == []


def test_same_as_the_modules():
    items = ["10.0.0.1-10.0.0.20", "192.0.2.0/28", "192.0.2.77"]
    assert cidr_list(items) == ipaddrs.normalize(items)


@pytest.mark.parametrize("bad", ["10.0.0.1/24", "300.1.1.1", "10.0.0.9-10.0.0.1"])
def test_bad_input_raises(bad):
    with pytest.raises(AnsibleFilterError):
        cidr_list([bad])
