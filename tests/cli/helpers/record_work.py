#!/usr/bin/env python3
"""Workloads for the record tests; each prints what the test checks.

  record_work.py hold PORT          listen on 127.0.0.1:PORT until stdin closes
                                    (prints "pid PID" first)
  record_work.py server TPORT UPORT N
                                    listen on TCP TPORT, bind UDP UPORT; accept
                                    and answer N connections, receive
                                    datagrams until stdin closes
  record_work.py client TPORT UPORT N M
                                    N short TCP connections to TPORT (send 100
                                    bytes, read the answer, close), then M UDP
                                    datagrams to UPORT, each from a new socket,
                                    and one to UPORT + 1; then exits (after
                                    half a second)
Every address is 127.0.0.1; every step is bounded (5 s timeouts).
"""
import os, socket, sys, threading, time


def hold(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    print("pid", os.getpid(), flush=True)
    sys.stdin.read()


def server(tport, uport, n):
    t = socket.socket()
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", tport))
    t.listen(64)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", uport))
    u.settimeout(0.2)

    def udp():
        while not done.is_set():
            try:
                u.recv(2048)
            except socket.timeout:
                pass
    done = threading.Event()
    th = threading.Thread(target=udp, daemon=True)
    th.start()
    print("pid", os.getpid(), flush=True)
    t.settimeout(30)
    for _ in range(n):
        c, _ = t.accept()
        c.settimeout(5)
        data = b""
        while len(data) < 100:
            chunk = c.recv(100 - len(data))
            if not chunk:
                break
            data += chunk
        c.sendall(b"x" * 1000)
        c.close()
    sys.stdin.read()
    done.set()


def client(tport, uport, n, m):
    print("pid", os.getpid(), flush=True)
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", tport), timeout=5)
        c.sendall(b"y" * 100)
        got = 0
        while got < 1000:
            chunk = c.recv(1000)
            if not chunk:
                break
            got += len(chunk)
        c.close()
    for _ in range(m):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"q", ("127.0.0.1", uport))
        s.close()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"q", ("127.0.0.1", uport + 1))
    s.close()
    # linger a moment: the recorder reads a process's details from /proc
    # when its first event arrives, and a process gone by then is only
    # "exited" (pid, uid, comm)
    time.sleep(0.5)
    print("done", flush=True)


cmd = sys.argv[1]
args = [int(a) for a in sys.argv[2:]]
{"hold": hold, "server": server, "client": client}[cmd](*args)
