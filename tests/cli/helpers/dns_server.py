#!/usr/bin/env python3
"""A DNS server for report --resolve's tests, on UDP port 53 of ADDR.

  dns_server.py ADDR silent COUNTFILE    take the questions, never answer
  dns_server.py ADDR hostile COUNTFILE   answer PTR questions with the
                                         names below (NXDOMAIN for others)

Writes how many questions came to COUNTFILE after each one; prints
"ready" once it is bound.  Stops by itself after 120 s.
"""
import socket, struct, sys, time

addr, mode, countfile = sys.argv[1:4]

# PTR answers, as raw labels: names no resolver should pass on
HOSTILE = {
    "2.0.9.10.in-addr.arpa": [b"two", b"test"],
    "4.0.9.10.in-addr.arpa": [b'ev"il<script>alert(1)</script>', b"test"],
    "5.0.9.10.in-addr.arpa": [b"ctl\x01\x1b[31m", b"test"],
    "6.0.9.10.in-addr.arpa": [b"-rf", b"test"],
}


def qname(msg):
    labels, i = [], 12
    while msg[i]:
        labels.append(msg[i + 1:i + 1 + msg[i]].decode("ascii", "replace"))
        i += 1 + msg[i]
    return ".".join(labels).lower(), i + 5       # the end of the question


def answer(msg):
    name, end = qname(msg)
    qid, qtype = msg[:2], struct.unpack("!H", msg[end - 4:end - 2])[0]
    labels = HOSTILE.get(name) if qtype == 12 else None
    if labels is None:
        return qid + struct.pack("!HHHHH", 0x8183, 1, 0, 0, 0) + msg[12:end]
    rdata = b"".join(bytes([len(l)]) + l for l in labels) + b"\0"
    rr = struct.pack("!HHHIH", 0xC00C, 12, 1, 60, len(rdata)) + rdata
    return qid + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0) + msg[12:end] + rr


s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
s.settimeout(1)
print("ready", flush=True)
n, stop = 0, time.monotonic() + 120
while time.monotonic() < stop:
    try:
        msg, peer = s.recvfrom(512)
    except socket.timeout:
        continue
    n += 1
    with open(countfile, "w") as f:
        f.write("%d\n" % n)
    if mode == "hostile":
        s.sendto(answer(msg), peer)
