"""Render tests of the `common` role's /etc/hosts block through Ansible (rolerender.py)."""
from rolerender import inventory

HV = {
    "frontend": {"eucalyptus_host_ip": "10.0.0.10"},
    "nc1": {"ansible_host": "10.0.0.21"},
    "nc2": {"ansible_host": "nc2.example.com", "eucalyptus_host_ip": "10.0.0.22"},
}


def test_hosts_block_with_domain(render_role):
    r = render_role("common", inventory({"clc": ["frontend"], "nc": ["nc2", "nc1"]}, HV), hosts="frontend",
                    templates=["hosts.j2"], role_vars={"common_domain": "euca"})
    assert r.rc == 0, r.output
    assert r.files["frontend"]["hosts.j2"].splitlines() == [
        "10.0.0.10 frontend.euca frontend",
        "10.0.0.21 nc1.euca nc1",
        "10.0.0.22 nc2.euca nc2",
    ]


def test_hosts_block_of_a_group_without_domain(render_role):
    r = render_role("common", inventory({"clc": ["frontend"], "nc": ["nc2", "nc1"]}, HV), hosts="nc1",
                    templates=["hosts.j2"], role_vars={"common_hosts_group": "nc"})
    assert r.rc == 0, r.output
    assert r.files["nc1"]["hosts.j2"].splitlines() == ["10.0.0.21 nc1", "10.0.0.22 nc2"]


def test_a_host_without_address_is_an_error_not_a_missing_line(render_role):
    hv = dict(HV, nc3={"ansible_python_interpreter": "/nonexistent/python"})
    r = render_role("common", inventory({"clc": ["frontend"], "nc": ["nc1", "nc2", "nc3"]}, hv), hosts="frontend",
                    templates=["hosts.j2"])
    assert r.rc != 0
    assert "No address known for nc3" in r.output
    assert r.files == {}
