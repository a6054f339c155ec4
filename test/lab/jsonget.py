# SPDX-License-Identifier: BSD-3-Clause
"""Print one field of a telemetry JSON reply read from stdin.

    ipsecgw-cli --raw /ipsecgw/stats | python3 jsonget.py rx_pkts

A DPDK telemetry reply is {"/command": {...}}; the field is looked up in the
inner dict (or at the top level).  Lists are printed one element a line.
Exits 1 with a message on stderr when the field is missing.
"""

import json
import sys


def find(obj, key):
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for val in obj.values():
            if isinstance(val, dict) and key in val:
                return val[key]
    raise KeyError(key)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: jsonget.py FIELD < reply.json")
    text = sys.stdin.read()
    try:
        val = find(json.loads(text), sys.argv[1])
    except (ValueError, KeyError) as exc:
        sys.exit(f"jsonget: no field {sys.argv[1]!r} in reply ({exc}): {text[:200]!r}")
    if isinstance(val, list):
        for elem in val:
            print(elem)
    else:
        print(val)


if __name__ == "__main__":
    main()
