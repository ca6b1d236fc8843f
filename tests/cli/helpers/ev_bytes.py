#!/usr/bin/env python3
"""TCP connections that move exactly N bytes each way, for events_bytes.sh.

    ev_bytes.py BASE_PORT N...

Prints "ready", waits for a line on stdin, then for each N and each ending
below makes one connection on loopback to its own server port (BASE_PORT,
BASE_PORT + 1, ... in that order), printing "case PORT N ENDING
CLIENT_SENT CLIENT_RECEIVED SERVER_SENT SERVER_RECEIVED": the bytes each
socket's kernel should count as the application's when it closes.  Then
"done".

Endings:
  fin      both sides send a FIN (the client first) and read the other's
  srvfin   the same, the server first
  clirst   the client resets (SO_LINGER 0) once all is read: no FIN from
           either side
  srvrst   the server resets once all is read
  unread   the client sends N bytes that the server never reads, and sends
           its FIN; the server closes with them unread, which resets the
           connection (nothing goes the other way)
"""
import fcntl
import socket
import struct
import sys
import termios
import threading
import time

ENDINGS = ("fin", "srvfin", "clirst", "srvrst", "unread")


def recv_exactly(s, n):
    got = 0
    while got < n:
        b = s.recv(min(65536, n - got))
        if not b:
            raise SystemExit("early EOF after %d of %d bytes" % (got, n))
        got += len(b)


def recv_eof(s):
    if s.recv(1) != b"":
        raise SystemExit("data where EOF was expected")


def exchange(c, a, n):
    """n bytes each way, both directions at once."""
    data = b"x" * n
    ts = [threading.Thread(target=s.sendall, args=(data,)) for s in (c, a)]
    for t in ts:
        t.start()
    rs = [threading.Thread(target=recv_exactly, args=(s, n)) for s in (c, a)]
    for t in rs:
        t.start()
    for t in ts + rs:
        t.join()


def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def graceful(first, other):
    """first sends its FIN, other reads it and closes, first reads that."""
    first.shutdown(socket.SHUT_WR)
    recv_eof(other)
    other.close()
    recv_eof(first)
    first.close()


def abort(first, other):
    """first resets; other sees the reset (or EOF) and closes."""
    reset(first)
    try:
        recv_eof(other)
    except ConnectionResetError:
        pass
    other.close()


def one(port, n, ending):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    c = socket.create_connection(("127.0.0.1", port))
    a, _ = ls.accept()
    ls.close()
    if ending == "unread":
        c.sendall(b"x" * n)
        c.shutdown(socket.SHUT_WR)
        # wait until the server's kernel has it all (and the FIN)
        while struct.unpack("i", fcntl.ioctl(a, termios.FIONREAD, b"\0" * 4))[0] < n:
            time.sleep(0.001)
        a.close()		# unread data: the kernel resets
        try:
            recv_eof(c)
        except (ConnectionResetError, SystemExit):
            pass
        c.close()
        print("case %d %d %s %d %d %d %d" % (port, n, ending, n, 0, 0, n), flush=True)
        return
    exchange(c, a, n)
    if ending in ("fin", "srvfin"):
        graceful(*((c, a) if ending == "fin" else (a, c)))
    else:
        abort(*((c, a) if ending == "clirst" else (a, c)))
    print("case %d %d %s %d %d %d %d" % (port, n, ending, n, n, n, n), flush=True)


def main():
    port = int(sys.argv[1])
    sizes = [int(x) for x in sys.argv[2:]]
    print("ready", flush=True)
    sys.stdin.readline()
    for n in sizes:
        for ending in ENDINGS:
            one(port, n, ending)
            port += 1
    print("done", flush=True)


main()
