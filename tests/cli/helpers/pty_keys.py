#!/usr/bin/env python3
"""Run a command on a new pseudo-terminal, type KEYS once READY_REGEX has
appeared in its output, then print its exit status and whether the
terminal's settings after it exited equal those before it started.

  pty_keys.py KEYS READY_REGEX CMD...
prints: "status N" and "termios same" or "termios changed", then the output.
KEYS is written as is; "\\x1b" in it stands for Esc.
"""
import fcntl, os, re, select, sys, termios, time

keys = sys.argv[1].encode().decode("unicode_escape").encode("latin-1")
ready = re.compile(sys.argv[2].encode())
fd, slave = os.openpty()
before = termios.tcgetattr(slave)   # before the child can change anything
pid = os.fork()
if pid == 0:
    os.close(fd)
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for i in range(3):
        os.dup2(slave, i)
    if slave > 2:
        os.close(slave)
    os.execvp(sys.argv[3], sys.argv[3:])
os.close(slave)
out = b""
sent = False
deadline = time.time() + 10
status = None
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        out += data
    if not sent and ready.search(out):
        time.sleep(0.1)
        os.write(fd, keys)
        sent = True
    if sent:
        # read the settings while the child is gone but the pty still open
        wpid, st = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            status = os.waitstatus_to_exitcode(st)
            break
after = termios.tcgetattr(fd)
while select.select([fd], [], [], 0.2)[0]:	# what it wrote before exiting
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
if status is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
print("status", status)
print("termios", "same" if before == after else "changed")
sys.stdout.write(out.decode(errors="replace"))
