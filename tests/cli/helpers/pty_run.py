#!/usr/bin/env python3
"""Run a command with a new pseudo-terminal as its standard input, output
and error (stdout or stderr to FILE instead with --stdout FILE or
--stderr FILE), and write what it printed to the terminal, byte for byte,
to OUT; print "status N".

  pty_run.py OUT [--stdout FILE] [--stderr FILE] CMD...
Gives up (kills the command) after 30 s.
"""
import fcntl, os, select, sys, termios, time

out_path = sys.argv[1]
args = sys.argv[2:]
redirect = {}
while args[:1] in (["--stdout"], ["--stderr"]):
    redirect[1 if args[0] == "--stdout" else 2] = args[1]
    args = args[2:]
fd, slave = os.openpty()
pid = os.fork()
if pid == 0:
    os.close(fd)
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for i in range(3):
        os.dup2(slave, i)
    for n, path in redirect.items():
        e = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(e, n)
        os.close(e)
    if slave > 2:
        os.close(slave)
    os.execvp(args[0], args)
os.close(slave)
out = b""
status = None
deadline = time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        out += data
        if data:
            continue
    wpid, st = os.waitpid(pid, os.WNOHANG)
    if wpid == pid:
        status = os.waitstatus_to_exitcode(st)
        break
while select.select([fd], [], [], 0.2)[0]:
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
with open(out_path, "wb") as f:
    f.write(out)
print("status", status)
