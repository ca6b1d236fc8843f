#!/usr/bin/env python3
"""An endpoint mapper that never ends its list: on TCP, it answers a bind
with Samba's recorded bind_ack and every ept_lookup, after DELAY seconds,
with Samba's recorded first batch (whose entry handle asks for more),
each with the call id of the request.

  rpc_endless.py ADDR PORT DELAY CORPUS_DIR
prints "ready" once listening, and "lookups N" after each connection.
Stops by itself after 120 s.
"""
import socket, sys, threading, time

addr, port, delay, corpus = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
bind_ack = bytearray(open(corpus + "/samba-bind-ack.bin", "rb").read())
batch = bytearray(open(corpus + "/samba-ept-lookup-1.bin", "rb").read())


def read_pdu(c):
    hdr = b""
    while len(hdr) < 16:
        d = c.recv(16 - len(hdr))
        if not d:
            return None
        hdr += d
    n = int.from_bytes(hdr[8:10], "little")
    body = b""
    while len(hdr) + len(body) < n:
        d = c.recv(n - len(hdr) - len(body))
        if not d:
            return None
        body += d
    return hdr + body


def serve(c):
    lookups = 0
    try:
        while True:
            pdu = read_pdu(c)
            if pdu is None:
                break
            rep = bind_ack if pdu[2] == 0x0b else batch
            if pdu[2] == 0x00:
                lookups += 1
                time.sleep(delay)
            rep = bytearray(rep)
            rep[12:16] = pdu[12:16]     # the request's call id
            c.sendall(rep)
    except OSError:
        pass
    c.close()
    print("lookups", lookups, flush=True)


s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(4)
print("ready", flush=True)
threading.Thread(target=lambda: (time.sleep(120), sys.exit(0)), daemon=True).start()
end = time.time() + 120
s.settimeout(1)
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.settimeout(None)
    threading.Thread(target=serve, args=(c,), daemon=True).start()
