#!/usr/bin/env python3
"""Fork short-lived processes that each hold a UDP socket, for SECONDS.

churn.py MAPFILE SECONDS [--fast]: every child binds 127.0.0.1:0, names
itself "u<port>" (its comm), appends "<port> <pid>" to MAPFILE before it
can be seen, lives 50-250 ms (--fast: 2-20 ms), exits.  About 20 children
are alive at any time.
"""
import os, random, socket, sys, time

mapfile, seconds = sys.argv[1], float(sys.argv[2])
fast = "--fast" in sys.argv
lo, hi = (0.002, 0.018) if fast else (0.05, 0.25)
fd = os.open(mapfile, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
end = time.time() + seconds
alive = 0
while time.time() < end:
    while alive < 20:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            with open("/proc/self/comm", "w") as f:
                f.write("u%d" % port)
            os.write(fd, b"%d %d\n" % (port, os.getpid()))
            os.write(w, b"x")
            time.sleep(lo + random.random() * (hi - lo))
            os._exit(0)
        os.close(w)
        os.read(r, 1)	# the mapping is written before the socket is seen
        os.close(r)
        alive += 1
    os.waitpid(-1, 0)
    alive -= 1
while alive:
    os.waitpid(-1, 0)
    alive -= 1
