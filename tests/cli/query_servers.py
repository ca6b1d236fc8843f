#!/usr/bin/env python3
"""Test target for the query tests: hold TCP listeners and UDP echo sockets.

    query_servers.py ADDR SPEC...     SPEC is tcp:PORT, udp:PORT, sink:PORT
                                      or junk:PORT (PORT 0: any)

Prints the ports actually bound, in SPEC order, on one line, then serves
until killed: TCP connections are accepted and closed, UDP datagrams are
echoed back to their sender; a sink is a UDP socket that never answers; a
junk socket ignores datagrams shorter than a DNS header (the generic probe)
and answers longer ones with bytes that are no DNS message."""
import selectors
import socket
import sys

addr = sys.argv[1]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
sel = selectors.DefaultSelector()
ports = []
keep = []
for spec in sys.argv[2:]:
    proto, port = spec.split(":")
    s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    keep.append(s)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    if proto == "tcp":
        s.listen(128)
    s.setblocking(False)
    if proto != "sink":
        sel.register(s, selectors.EVENT_READ, proto)
    ports.append(str(s.getsockname()[1]))
print(" ".join(ports), flush=True)
while True:
    for key, _ in sel.select(None if sel.get_map() else 3600):
        s = key.fileobj
        try:
            if key.data == "tcp":
                c, _ = s.accept()
                c.close()
            elif key.data == "junk":
                data, peer = s.recvfrom(65535)
                if len(data) >= 12:
                    s.sendto(data[:2] + b"\x81\x80\xff\xff" + b"no dns here", peer)
            else:
                data, peer = s.recvfrom(65535)
                s.sendto(data, peer)
        except OSError:
            pass
