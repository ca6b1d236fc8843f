#!/usr/bin/env python3
"""report_hold.py ADDR PORT SECONDS: listen on TCP ADDR:PORT for SECONDS,
then close; prints "held START END" (time.time() right after listen() and
right before close()) so the test knows the true time the port was open."""
import socket, sys, time

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(8)
start = time.time()
time.sleep(float(sys.argv[3]))
end = time.time()
s.close()
# linger: the recorder reads the process's details after its first event
time.sleep(0.3)
print("held %.6f %.6f" % (start, end), flush=True)
