from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest

from ansible_collections.eucalyptus.cloud.plugins.module_utils import diagnostics

R = diagnostics.REDACTED


@pytest.mark.parametrize("text,secret,kept", [
    ("export AWS_SECRET_ACCESS_KEY='abc/def+g'\n", "abc/def+g", "export AWS_SECRET_ACCESS_KEY='%s'" % R),
    ('export EC2_SECRET_KEY="s3"\n', "s3", 'export EC2_SECRET_KEY="%s"' % R),
    ("export AWS_ACCESS_KEY_ID=AKIAX\n", "AKIAX", "AWS_ACCESS_KEY_ID=%s" % R),
    ("db connect user=euca password=hunter2 ok\n", "hunter2", "password=%s ok" % R),
    ('{"user_password": "p4ss", "name": "x"}', "p4ss", '"name": "x"'),
    ('cluster.auth.keystone.user_password : "zz9"\n', "zz9", 'user_password : "%s"' % R),
    ("[keystone]\npassword = mido-pw\n", "mido-pw", "password = %s" % R),
    ("<password>xml-pw</password>", "xml-pw", "<password>%s</password>" % R),
    ("<param-name>auth-admin_token</param-name>\n<param-value>999888777666</param-value>", "999888777666",
     "<param-value>%s</param-value>" % R),
    ("GET http://admin:url-pw@10.0.0.1:8080/x", "url-pw", "http://admin:%s@10.0.0.1" % R),
    ("Authorization: Basic dXNlcjpwYXNz\n", "dXNlcjpwYXNz", "Authorization: Basic %s" % R),
    ("X-Auth-Token: tok-1\n", "tok-1", "X-Auth-Token: %s" % R),
    ("a\n-----BEGIN RSA PRIVATE KEY-----\nMIIEbody\n-----END RSA PRIVATE KEY-----\nb", "MIIEbody",
     "-----BEGIN RSA PRIVATE KEY-----\n%s\n-----END RSA PRIVATE KEY-----\nb" % R),
    ("log\n-----BEGIN PRIVATE KEY-----\nMIIEcut", "MIIEcut", "-----BEGIN PRIVATE KEY-----\n%s" % R),
    ("MIIEtail\n-----END EC PRIVATE KEY-----\nafter", "MIIEtail", "%s\n-----END EC PRIVATE KEY-----\nafter" % R),
])
def test_redact(text, secret, kept):
    out, count = diagnostics.redact(text)
    assert secret not in out
    assert kept in out
    assert count >= 1


def test_redact_keeps_ordinary_text():
    text = "export EC2_URL=http://127.0.0.1:8773/services/compute\nnet.ipv4.ip_forward = 1\n-P FORWARD ACCEPT\n"
    assert diagnostics.redact(text) == (text, 0)


def test_extra_patterns():
    out, count = diagnostics.redact("serial=ABC-123-XYZ", [r"ABC-\d+-XYZ"])
    assert out == "serial=%s" % R and count == 1


def test_collect_records_missing_and_errors(tmp_path):
    log = tmp_path / "cloud-output.log"
    log.write_text(u"0123456789password=pw-1\n")
    calls = []

    def run(argv):
        calls.append(argv)
        return (0, "ok token=t-1\n", "") if argv[0] == "ip" else (1, "", "boom")

    items = diagnostics.collect(run, [{"name": "ip.txt", "argv": ["ip", "link"]}, {"name": "x.txt", "argv": ["false"]},
                                      {"name": "gone.txt", "argv": ["nosuch"]}],
                                [{"name": "logs/a.log", "path": str(log)}, {"name": "logs/b.log", "path": str(tmp_path / "b")}],
                                ["net.ipv4.ip_forward"], 14, which=lambda name: None if name == "nosuch" else "/bin/" + name)
    by = dict((i["name"], i) for i in items)
    assert by["ip.txt"]["status"] == "ok" and "t-1" not in by["ip.txt"]["content"]
    assert by["x.txt"]["status"] == "error" and "rc 1: boom" in by["x.txt"]["detail"]
    assert by["gone.txt"]["status"] == "missing" and calls == [["ip", "link"], ["false"]]
    assert by["logs/a.log"]["content"] == "password=%s\n" % R and "last 14 of 24 bytes" == by["logs/a.log"]["detail"]
    assert by["logs/b.log"]["status"] == "missing"
    assert by["sysctl.txt"]["content"].startswith("net.ipv4.ip_forward = ") or "not available" in by["sysctl.txt"]["content"]
    manifest = diagnostics.manifest("h", items)
    assert "missing  logs/b.log" in manifest and "(1 secrets redacted)" in manifest


def test_pidfile_restored(tmp_path):
    pid = tmp_path / "eucanetd.pid"
    pid.write_bytes(b"4242\n")
    before = diagnostics.snapshot_file(str(pid))
    pid.write_bytes(b"999\n")
    assert diagnostics.restore_file(str(pid), before) is True
    assert pid.read_bytes() == b"4242\n"
    assert diagnostics.restore_file(str(pid), before) is False
    assert diagnostics.restore_file(os.path.join(str(tmp_path), "none"), None) is False
