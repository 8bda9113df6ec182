#!/usr/bin/env python3
"""Where a Redis store's fleet last had each shuttle: the newest snapshot's
vehicles, updated by the states journaled after it. Prints, for
`shuttle-sim --start` and `--loads`, two lines: the comma-separated last
nodes of the shuttles named PREFIX01, PREFIX02, ... in order, and the
loads the fleet has them carry ("" for none); on stderr how many are
laden. For the failover measurement in
BENCHMARKS.md.

usage: history-positions.py PORT DB KEYPREFIX [SHUTTLE_PREFIX]
"""
import json, socket, sys, zlib

port, db, pre = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sprefix = sys.argv[4] if len(sys.argv) > 4 else "shuttle-"

sock = socket.create_connection(("127.0.0.1", port))
rf = sock.makefile("rb")

def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    sock.sendall(out)
    return reply()

def reply():
    line = rf.readline()[:-2]
    t, rest = line[:1], line[1:]
    if t in (b"+", b":"):
        return rest
    if t == b"-":
        raise RuntimeError(rest.decode())
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = rf.read(n + 2)[:-2]
        return data
    if t == b"*":
        n = int(rest)
        return None if n < 0 else [reply() for _ in range(n)]
    raise RuntimeError(f"unexpected reply {line!r}")

def inflate(b):
    return zlib.decompress(b[1:], -15) if b[:1] == b"\x01" else b

cmd("SELECT", db)
seqs = sorted(int(s) for s in cmd("HKEYS", pre + "snapshots"))
core = json.loads(zlib.decompress(cmd("HGET", pre + "snapshots", seqs[-1]), -15))["core"]
last = {}
for v in core["vehicles"]["vehicles"]:
    st = v.get("state") or {}
    last[v["id"]] = (st.get("lastNodeId", ""), ",".join(l["loadId"] for l in st.get("loads") or []))

# the records after the snapshot, in order
start = f"{seqs[-1] + 1}-0"
while True:
    ents = cmd("XRANGE", pre + "journal", start, "+", "COUNT", 5000)
    if not ents:
        break
    for eid, fields in ents:
        data = dict(zip(fields[::2], fields[1::2]))
        raw = next(iter(data.values()))
        r = json.loads(inflate(raw))
        if r.get("k") == "msg" and r.get("topic", "").endswith("/state") and "json" in r:
            st = r["json"]
            if st.get("lastNodeId"):
                last[st["serialNumber"]] = (st["lastNodeId"], ",".join(l["loadId"] for l in st.get("loads") or []))
    ms, sq = ents[-1][0].decode().split("-")
    start = f"{ms}-{int(sq) + 1}"

names = sorted(k for k in last if k.startswith(sprefix))
print(",".join(last[n][0] for n in names))
print(",".join(last[n][1] for n in names))
print(f"{len(names)} shuttles, {sum(bool(last[n][1]) for n in names)} laden in the fleet's view", file=sys.stderr)
