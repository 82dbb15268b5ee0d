#!/usr/bin/python
# -*- coding: utf-8 -*-
"""TEST-ONLY fake of eucalyptus.cloud.euca_service_info (the real module is written separately):
answers its contract, ``services: [{name, type, zone, host, state}]`` with lower-case states,
from the JSON file named by $EUCLOUD_FAKE_SERVICES. That file holds a list of answers; read N
returns answer N (the last one once they run out), so a test can make services become enabled
after some reads. The read count is kept in the file named by $EUCLOUD_FAKE_SERVICES + ".n".
Used only by test_verify_role.py, through a temporary copy of the collection."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.six import string_types


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    path = os.environ["EUCLOUD_FAKE_SERVICES"]
    with open(path) as fh:
        answers = json.load(fh)
    counter = path + ".n"
    n = int(open(counter).read()) if os.path.exists(counter) else 0
    with open(counter, "w") as fh:
        fh.write(str(n + 1))
    answer = answers[min(n, len(answers) - 1)]
    if isinstance(answer, string_types):
        module.fail_json(msg=answer)
    module.exit_json(changed=False, services=answer)


if __name__ == "__main__":
    main()
