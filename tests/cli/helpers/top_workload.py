#!/usr/bin/env python3
"""A scripted workload for the top tests: commands on stdin, one a line,
each answered with a line on stdout ("ok ..." or "err ...").  Process names
(comm) are set so that rows can be found on the screen.

  name NAME              set this process's comm
  listen PORT [close]    TCP listener on 127.0.0.1:PORT; accepted
                         connections are held after the peer's FIN (CLOSE_WAIT)
                         or, with close, closed then; closed after a reset
  udp PORT               UDP socket bound to 127.0.0.1:PORT
  connect ID PORT        TCP connection ID to 127.0.0.1:PORT; answers
                         "ok ID LOCALPORT"; a reader thread reports
                         "event ID reset|aborted|eof|error E" when it ends
  shutdown ID            shutdown(SHUT_WR): FIN to the peer
  reset ID               close with SO_LINGER 0: the peer gets a reset
  burst N PORT           N connections to 127.0.0.1:PORT, each closed at once
  exit
"""
import ctypes
import errno
import socket
import struct
import sys
import threading

lock = threading.Lock()
conns = {}
readers = {}
held = []


def say(line):
    with lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def set_name(name):
    libc = ctypes.CDLL(None)
    libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME


def serve(ls, close):
    while True:
        c, _ = ls.accept()
        held.append(c)
        threading.Thread(target=hold, args=(c, close), daemon=True).start()


def hold(c, close):
    try:
        while c.recv(4096):
            pass
    except OSError:
        c.close()
        return
    if close:
        held.remove(c)
        c.close()


def reader(cid, s):
    try:
        while True:
            d = s.recv(4096)
            if not d:
                say("event %s eof" % cid)
                return
    except OSError as e:
        if e.errno == errno.ECONNRESET:
            say("event %s reset" % cid)
        elif e.errno == errno.ECONNABORTED:
            say("event %s aborted" % cid)
        else:
            say("event %s error %s" % (cid, errno.errorcode.get(e.errno, e.errno)))


def main():
    keep = []
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        try:
            if w[0] == "name":
                set_name(w[1])
                say("ok")
            elif w[0] == "listen":
                ls = socket.socket()
                ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                ls.bind(("127.0.0.1", int(w[1])))
                ls.listen(16)
                keep.append(ls)
                threading.Thread(target=serve, args=(ls, len(w) > 2 and w[2] == "close"),
                                 daemon=True).start()
                say("ok")
            elif w[0] == "udp":
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                u.bind(("127.0.0.1", int(w[1])))
                keep.append(u)
                say("ok")
            elif w[0] == "connect":
                s = socket.create_connection(("127.0.0.1", int(w[2])))
                conns[w[1]] = s
                t = threading.Thread(target=reader, args=(w[1], s), daemon=True)
                t.start()
                readers[w[1]] = t
                say("ok %s %d" % (w[1], s.getsockname()[1]))
            elif w[0] == "shutdown":
                conns[w[1]].shutdown(socket.SHUT_WR)
                say("ok")
            elif w[0] == "reset":
                s = conns.pop(w[1])
                # wake the reader first: a socket is released (and the
                # reset sent) only when no thread is in recv() on it
                s.shutdown(socket.SHUT_RD)
                readers.pop(w[1]).join()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
                say("ok")
            elif w[0] == "burst":
                for _ in range(int(w[1])):
                    socket.create_connection(("127.0.0.1", int(w[2]))).close()
                say("ok")
            elif w[0] == "exit":
                say("ok")
                return
            else:
                say("err unknown command")
        except OSError as e:
            say("err %s" % e)


if __name__ == "__main__":
    main()
