#!/usr/bin/env python3
"""A slow server: on each TCP port given, accept connections and send each
one byte every INTERVAL seconds, never a line end, until the peer goes.

  drip_server.py ADDR INTERVAL PORT...
prints "ready" once every port listens; stops by itself after 120 s.
"""
import socket, sys, threading, time

addr, interval, ports = sys.argv[1], float(sys.argv[2]), sys.argv[3:]


def drip(c):
    try:
        while True:
            c.send(b"x")
            time.sleep(interval)
    except OSError:
        pass
    finally:
        c.close()


def serve(s):
    while True:
        c, _ = s.accept()
        threading.Thread(target=drip, args=(c,), daemon=True).start()


for p in ports:
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(p)))
    s.listen(16)
    threading.Thread(target=serve, args=(s,), daemon=True).start()
print("ready", flush=True)
time.sleep(120)
