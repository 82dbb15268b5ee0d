"""Unit tests for the eucalyptus.cloud.eucanetd_tunnel_zone_ok filter."""
import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.eucalyptus.cloud.plugins.filter.midonet import FilterModule, eucanetd_tunnel_zone_ok


@pytest.mark.parametrize('name', ['mido-tz', 'midotz', 'euca-tz', 'eucatz'])
@pytest.mark.parametrize('version', ['4.3', '4.3.1', '4.4', '4.4.5', '5.0', 'v4.4.0', 4.4, 5])
def test_allowed_names_43_plus(name, version):
    assert eucanetd_tunnel_zone_ok(name, version) is True


@pytest.mark.parametrize('name', ['euca-mido', 'Mido-TZ', 'tz', 'mido', 'mido-tz2', 'mido-tz ', '', None])
@pytest.mark.parametrize('version', ['4.3', '4.4.5', '5.0'])
def test_refused_names_43_plus(name, version):
    assert eucanetd_tunnel_zone_ok(name, version) is False


@pytest.mark.parametrize('version', ['4.1', '4.1.1', '4.2', '4.2.2', 4.2])
def test_any_name_before_43(version):
    assert eucanetd_tunnel_zone_ok('euca-mido', version) is True
    assert eucanetd_tunnel_zone_ok('mido-tz', version) is True
    assert eucanetd_tunnel_zone_ok('', version) is False


def test_bad_version():
    with pytest.raises(AnsibleFilterError, match='cannot parse'):
        eucanetd_tunnel_zone_ok('mido-tz', 'latest')


def test_registered():
    assert FilterModule().filters()['eucanetd_tunnel_zone_ok'] is eucanetd_tunnel_zone_ok


def test_through_jinja(tmp_path):
    """The filter as a playbook uses it (fully-qualified name)."""
    import subprocess
    import os
    import sys
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    ansible = os.path.join(os.path.dirname(sys.executable), 'ansible')   # the controller running the tests
    assert os.path.exists(ansible), 'run the tests with the Python of the venv that holds ansible-core'
    # pin the result format: `make test` exports an ANSIBLE_CONFIG whose callback prints YAML
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(top, '.cache', 'collections'),
               ANSIBLE_CALLBACK_RESULT_FORMAT='json', ANSIBLE_LOAD_CALLBACK_PLUGINS='0')
    out = subprocess.run(
        [ansible, '-i', 'localhost,', 'localhost', '-c', 'local', '-m', 'debug', '-a',
         "msg={{ ['euca-mido' | eucalyptus.cloud.eucanetd_tunnel_zone_ok('4.2'), "
         "'euca-mido' | eucalyptus.cloud.eucanetd_tunnel_zone_ok('4.4.5'), "
         "'mido-tz' | eucalyptus.cloud.eucanetd_tunnel_zone_ok('5.0')] }}"],
        capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout.replace(' ', '').replace('\n', '')
    assert '[true,false,true]' in text
