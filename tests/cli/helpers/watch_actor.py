#!/usr/bin/env python3
"""A socket actor for the watch tests, driven one command a line on stdin.

Each command is answered by one line on stdout ("ok CMD ..." or
"error CMD ..."), flushed, so that a test can wait for it.  Sockets are
named; NAME below is any word.

  pid                          -> ok pid PID
  tcp_listen NAME ADDR PORT BACKLOG
  tcp_connect NAME ADDR PORT   non-blocking: may stay in SYN_SENT
                               -> ok tcp_connect NAME LOCALPORT
  accept NAME LISTENER         blocks until a connection is there
  udp_bind NAME ADDR PORT
  udp_connect NAME ADDR PORT   -> ok udp_connect NAME LOCALPORT
  close NAME
  dup NAME                     move the socket to another descriptor number
                               -> ok dup NAME NEWFD
  fork                         a child that holds every socket open
                               -> ok fork CHILDPID
  child_exit                   the child exits
  exit                         exit (every socket closes)
"""
import os, socket, sys

socks = {}
child = None


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def run(words):
    global child
    cmd = words[0]
    if cmd == "pid":
        return str(os.getpid())
    if cmd == "tcp_listen":
        name, addr, port, backlog = words[1], words[2], int(words[3]), int(words[4])
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(backlog)
        socks[name] = s
        return name
    if cmd == "tcp_connect":
        name, addr, port = words[1], words[2], int(words[3])
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((addr, port))
        socks[name] = s
        return "%s %d" % (name, s.getsockname()[1])
    if cmd == "accept":
        name, listener = words[1], words[2]
        c, _ = socks[listener].accept()
        socks[name] = c
        return "%s %d" % (name, c.getpeername()[1])
    if cmd == "udp_bind":
        name, addr, port = words[1], words[2], int(words[3])
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.bind((addr, port))
        socks[name] = s
        return name
    if cmd == "udp_connect":
        name, addr, port = words[1], words[2], int(words[3])
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.connect((addr, port))
        s.send(b"hello")
        socks[name] = s
        return "%s %d" % (name, s.getsockname()[1])
    if cmd == "close":
        socks.pop(words[1]).close()
        return words[1]
    if cmd == "dup":
        old = socks[words[1]]
        fd = os.dup(old.fileno())
        os.dup2(fd, fd + 10)            # a number that was not in use
        os.close(fd)
        old.close()
        socks[words[1]] = socket.socket(fileno=fd + 10)
        return "%s %d" % (words[1], fd + 10)
    if cmd == "fork":
        r, w = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(w)
            os.read(r, 1)       # until the parent says so
            os._exit(0)
        os.close(r)
        child = (child, w)
        return str(child[0])
    if cmd == "child_exit":
        pid, w = child
        os.close(w)
        os.waitpid(pid, 0)
        return str(pid)
    if cmd == "exit":
        print("ok exit", flush=True)
        os._exit(0)
    raise ValueError("unknown command")


for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    try:
        print("ok %s %s" % (words[0], run(words)), flush=True)
    except Exception as e:  # report, keep serving
        print("error %s %s" % (words[0], e), flush=True)
