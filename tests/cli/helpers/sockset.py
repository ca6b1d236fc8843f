#!/usr/bin/env python3
"""Normalise socket listings to comparable sets.

sockset.py ss FILE        # output of `ss -tuanp`
sockset.py portscope FILE # output of `portscope local --json`
prints one line per socket, sorted:
  proto local_addr local_port remote_addr remote_port STATE pid,pid,...
Addresses are normalised (wildcards as '*', remote port '*' as 0).
"""
import ipaddress, json, re, sys

STATES = {"ESTAB": "ESTABLISHED", "TIME-WAIT": "TIME_WAIT", "SYN-SENT": "SYN_SENT",
          "SYN-RECV": "SYN_RECV", "FIN-WAIT-1": "FIN_WAIT1", "FIN-WAIT-2": "FIN_WAIT2",
          "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK", "UNCONN": "UNCONN",
          "LISTEN": "LISTEN", "CLOSING": "CLOSING", "CLOSE": "CLOSE"}

def addr(a):
    a = a.strip("[]")
    if "%" in a:
        a = a.split("%")[0]
    if a in ("*", "0.0.0.0", "::"):
        return "*"
    return str(ipaddress.ip_address(a))

def split_ep(ep):
    a, _, p = ep.rpartition(":")
    return addr(a), 0 if p == "*" else int(p)

out = set()
kind, path = sys.argv[1], sys.argv[2]
with open(path) as f:
    if kind == "ss":
        header = next(f).split()
        for line in f:
            cols = line.split()
            if header[0] == "State":	# one kind only (ss -w): no Netid column
                cols.insert(0, "raw")
            proto, state, local, peer = cols[0], cols[1], cols[4], cols[5]
            pids = sorted(set(int(p) for p in re.findall(r"pid=(\d+)", line)))
            la, lp = split_ep(local)
            ra, rp = split_ep(peer)
            st = STATES.get(state, state)
            if proto == "tcp" and st == "UNCONN":
                st = "CLOSE"
            out.add((proto, la, lp, ra, rp, st, ",".join(map(str, pids))))
    else:
        for line in f:
            o = json.loads(line)
            pids = sorted(set(w["pid"] for w in o["owners"]))
            st = o["state"]
            out.add((o["proto"], addr(o["local_addr"]), o["local_port"],
                     addr(o["remote_addr"]), o["remote_port"], st,
                     ",".join(map(str, pids))))
for t in sorted(out):
    print(*t)
