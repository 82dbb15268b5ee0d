"""Offline stand-in for ansible-test's pip bootstrap script (get-pip-<version>.py).

ansible-test downloads get-pip from ci-files.testing.ansible.com, which these machines cannot
reach, and caches it as ~/.ansible/test/cache/get_pip_<version>.py. scripts/sanity.sh seeds that
cache with this file. It is run with pip's arguments (the pins ansible-test wants, e.g.
``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``): it installs the pip that
the interpreter bundles (ensurepip), then lets that pip install the pins from the package index.
Runs on Python 2.7 and 3.x.
"""
import subprocess
import sys


def main():
    args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet'] + args)


if __name__ == '__main__':
    main()
