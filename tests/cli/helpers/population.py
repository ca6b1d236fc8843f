#!/usr/bin/env python3
"""Hold a small, known socket population on loopback until killed.

TCP listeners on 127.0.0.1 and [::1], established pairs over both, bound
UDP sockets on both families, a connected UDP socket, a listener and a
connection shared with a forked child, and a TIME_WAIT socket.  Writes
"READY <parent pid> <child pid> <shared listener port>" to the file named
by argv[1] once everything is in place.
"""
import os, signal, socket, sys, time

def listener(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 0))
    s.listen(16)
    return s

keep = []
l4 = listener(socket.AF_INET, "127.0.0.1")
l6 = listener(socket.AF_INET6, "::1")
keep += [l4, l6]
for l, addr in ((l4, "127.0.0.1"), (l6, "::1")):
    for _ in range(3):
        c = socket.create_connection((addr, l.getsockname()[1]))
        a, _ = l.accept()
        keep += [c, a]
for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((addr, 0))
    keep.append(u)
uc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
uc.bind(("127.0.0.1", 0))
uc.connect(("127.0.0.1", keep[-2].getsockname()[1]))
keep.append(uc)
# TIME_WAIT: the side that closes first keeps it
c = socket.create_connection(("127.0.0.1", l4.getsockname()[1]))
a, _ = l4.accept()
c.close()
a.close()
# the shared listener: held by parent and child
shared = listener(socket.AF_INET, "127.0.0.1")
child = os.fork()
if child == 0:
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    while True:
        time.sleep(60)
signal.signal(signal.SIGTERM, lambda *a: (os.kill(child, signal.SIGTERM), os.waitpid(child, 0), sys.exit(0)))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("READY %d %d %d\n" % (os.getpid(), child, shared.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    time.sleep(60)
