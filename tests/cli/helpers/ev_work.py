#!/usr/bin/env python3
"""Workloads for the event engine's tests (tests/cli/events_*.sh).

Each mode prints what the test needs to check (pids, ports) as
"key value" lines on stdout, flushed, and exits when done.  Modes:

Modes that act first set up what a test can see before it starts
portscope (a listener, a bound socket), print "ready" and wait for a line
on stdin ("go").

  serve PORT [FAMILY]          accept and close connections until killed
  conns N PORT HOLD_MS [FAM]   N TCP connections, each held HOLD_MS ms
  udp N BASEPORT [FAM]         one datagram to each of N ports from one socket
  prefork PORT CHILDREN        parent listens, CHILDREN children accept until
                               killed; each accepted connection printed as
                               "accepted CHILD_PID PEER_PORT"
  scm PORT                     parent makes a UDP socket, passes it to a child
                               over SCM_RIGHTS; the child sends to PORT
  hold PORT                    listen on PORT and wait (stdin EOF ends)
  udpconn PORT                 connect a UDP socket and send() on it
  exec PORT                    bind a UDP socket as "ev_before", exec python
                               (comm python3), which sends from it to PORT
  family PORT N                fork N children that each connect to PORT
"""
import os
import socket
import signal
import sys
import time


def out(*a):
    print(*a, flush=True)


def ready():
    """Say the sentinel state is set up, then wait for the test's "go"."""
    out("ready")
    sys.stdin.readline()


def fam(a):
    return socket.AF_INET6 if a == "6" else socket.AF_INET


def loop(f):
    return "::1" if f == socket.AF_INET6 else "127.0.0.1"


def serve(port, f=socket.AF_INET):
    ls = socket.socket(f, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((loop(f), port))
    ls.listen(1024)
    out("pid", os.getpid())
    out("ready")
    while True:
        c, _ = ls.accept()
        c.close()


def conns(n, port, hold_ms, f=socket.AF_INET):
    out("pid", os.getpid())
    ready()
    ports = []
    for _ in range(n):
        s = socket.socket(f, socket.SOCK_STREAM)
        s.connect((loop(f), port))
        ports.append(s.getsockname()[1])
        time.sleep(hold_ms / 1000.0)
        s.close()
    out("ports", ",".join(map(str, ports)))
    out("done")


def udp(n, base, f=socket.AF_INET):
    out("pid", os.getpid())
    ready()
    s = socket.socket(f, socket.SOCK_DGRAM)
    for i in range(n):
        s.sendto(b"x", (loop(f), base + i))
    out("lport", s.getsockname()[1])
    s.close()
    out("done")


def prefork(port, children):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1024)
    out("parent", os.getpid())
    # SIGTERM from the test's teardown must run the finally below, which
    # ends the children (Python's default action would leave them running).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    kids = []
    for _ in range(children):
        pid = os.fork()
        if pid == 0:
            me = os.getpid()
            while True:
                c, peer = ls.accept()
                out("accepted", me, peer[1])
                c.recv(1)	# until the client closes
                c.close()
        kids.append(pid)
    out("children", ",".join(map(str, kids)))
    out("ready")
    try:
        os.wait()
    finally:
        for k in kids:
            try:
                os.kill(k, 15)
            except ProcessLookupError:
                pass


def scm(port):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    out("parent", os.getpid())
    out("lport", u.getsockname()[1])
    ready()
    pid = os.fork()
    if pid == 0:
        msg, fds, _, _ = socket.recv_fds(b, 16, 1)
        s = socket.socket(fileno=fds[0])
        s.sendto(b"x", ("127.0.0.1", port))
        s.close()
        os._exit(0)
    socket.send_fds(a, [b"fd"], [u.fileno()])
    u.close()
    os.waitpid(pid, 0)
    out("child", pid)
    out("done")


def hold(port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(5)
    out("pid", os.getpid())
    out("ready")
    sys.stdin.read()


def udpconn(port):
    out("pid", os.getpid())
    ready()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    s.send(b"x")
    out("lport", s.getsockname()[1])
    s.close()
    out("done")


def exec_(port):
    with open("/proc/self/comm", "w") as f:
        f.write("ev_before")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    os.set_inheritable(s.fileno(), True)
    out("pid", os.getpid())
    out("lport", s.getsockname()[1])
    ready()
    code = ("import socket,sys;s=socket.socket(fileno=%d);"
            "s.sendto(b'x',('127.0.0.1',%d));print('done',flush=True)") % (s.fileno(), port)
    os.execv(sys.executable, [sys.executable, "-c", code])


def family(port, n):
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    out("parent", os.getpid())
    out("lport", ls.getsockname()[1])
    ready()
    kids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            s = socket.socket()
            s.connect(("127.0.0.1", port))
            s.close()
            os._exit(0)
        kids.append(pid)
    for k in kids:
        os.waitpid(k, 0)
    out("children", ",".join(map(str, kids)))
    out("done")


def main():
    m, a = sys.argv[1], sys.argv[2:]
    if m == "serve":
        serve(int(a[0]), fam(a[1] if len(a) > 1 else "4"))
    elif m == "conns":
        conns(int(a[0]), int(a[1]), float(a[2]), fam(a[3] if len(a) > 3 else "4"))
    elif m == "udp":
        udp(int(a[0]), int(a[1]), fam(a[2] if len(a) > 2 else "4"))
    elif m == "prefork":
        prefork(int(a[0]), int(a[1]))
    elif m == "scm":
        scm(int(a[0]))
    elif m == "hold":
        hold(int(a[0]))
    elif m == "udpconn":
        udpconn(int(a[0]))
    elif m == "exec":
        exec_(int(a[0]))
    elif m == "family":
        family(int(a[0]), int(a[1]))
    else:
        sys.exit("unknown mode " + m)


if __name__ == "__main__":
    main()
