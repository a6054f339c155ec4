# SPDX-License-Identifier: BSD-3-Clause
"""Walk an ipsecgw telemetry list page by page and check the convention.

    tmlist.py SOCKET LIST ITEM [FIELD...]

    e.g. tmlist.py .../dpdk_telemetry.v2 routes route prefix via

"/ipsecgw/LIST[,START]" must answer {count, next, ids[]} with at most 256
ids, each at or after START, and next = 0 on the last page;
"/ipsecgw/ITEM,ID" must answer one flat dict.  Prints one line per object
("ID FIELD=VALUE ..."), then "pages=P ids=N count=C"; exits 1 with a
message if the convention is broken (duplicate or missing ids, a page too
long, a count that does not match, an item that does not answer).
"""

import sys

from tmquery import Telemetry

PAGE = 256


def inner(reply, cmd):
    return reply.get(cmd.split(",")[0], reply) if isinstance(reply, dict) else reply


def walk(tm, name):
    ids, pages, start, count = [], 0, 0, None
    while True:
        cmd = f"/ipsecgw/{name}" + (f",{start}" if start else "")
        page = inner(tm.query(cmd), cmd)
        pages += 1
        for key in ("count", "next", "ids"):
            if not isinstance(page, dict) or key not in page:
                raise SystemExit(f"{cmd}: no {key!r} in {page}")
        if len(page["ids"]) > PAGE:
            raise SystemExit(f"{cmd}: {len(page['ids'])} ids on one page (max {PAGE})")
        if any(i < start for i in page["ids"]):
            raise SystemExit(f"{cmd}: ids before START {start}: {page['ids'][:5]}...")
        count = page["count"] if count is None else count
        ids += page["ids"]
        if page["next"] == 0:
            break
        if page["next"] <= start or pages > 1000:
            raise SystemExit(f"{cmd}: next={page['next']} does not move forward")
        start = page["next"]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"/ipsecgw/{name}: duplicate ids across pages")
    if len(ids) != count:
        raise SystemExit(f"/ipsecgw/{name}: count={count} but {len(ids)} ids over {pages} pages")
    return ids, pages, count


def main(argv):
    if len(argv) < 4:
        raise SystemExit(__doc__)
    tm = Telemetry(argv[1])
    ids, pages, count = walk(tm, argv[2])
    for i in ids:
        cmd = f"/ipsecgw/{argv[3]},{i}"
        obj = inner(tm.query(cmd), cmd)
        if not isinstance(obj, dict) or "error" in obj:
            raise SystemExit(f"{cmd}: {obj}")
        print(str(i) + "".join(f" {f}={obj.get(f)}" for f in argv[4:]))
    print(f"pages={pages} ids={len(ids)} count={count}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
