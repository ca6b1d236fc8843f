#!/usr/bin/env python3
"""keylat.py N ROWTEXT CMD...: run CMD (portscope top) on a pseudo-terminal
of 160x50, wait until ROWTEXT (text of some row) is on screen, then N times:
write "?" and time until the help pane's title arrives, write "x" and time
until the list's header arrives again; then N/4 times type a filter
("/sp-w1"), timing each key until the prompt shows it.  Prints the median
and max of each kind in ms, and the view's peak RSS (VmHWM)."""
import os
import pty
import select
import signal
import struct
import sys
import time
import fcntl
import termios


def read_until(fd, needle, timeout):
    buf = b""
    end = time.monotonic() + timeout
    first = None
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], max(0, end - time.monotonic()))
        if not r:
            continue
        try:
            d = os.read(fd, 65536)
        except OSError:
            break
        if not d:
            break
        if first is None:
            first = time.monotonic()
        buf += d
        if needle in buf:
            return first, time.monotonic()
    raise SystemExit("no %r within %ss" % (needle, timeout))


def main():
    n = int(sys.argv[1])
    needle_rows = sys.argv[2].encode()
    del sys.argv[2]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp(sys.argv[2], sys.argv[2:])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    read_until(fd, needle_rows, 120)  # the first snapshot's rows are up
    lat = []
    for _ in range(n):
        for key, needle in ((b"?", b"portscope top: keys"), (b"x", b"Process")):
            t0 = time.monotonic()
            os.write(fd, key)
            _, done = read_until(fd, needle, 30)
            lat.append((done - t0) * 1000)
        time.sleep(0.05)
    # typing a filter: each key is echoed in the prompt at once, while the
    # filtered view is built on the refresher's thread
    flat = []
    for _ in range(max(1, n // 4)):
        t0 = time.monotonic()
        os.write(fd, b"/")
        read_until(fd, b"filter:", 30)
        flat.append((time.monotonic() - t0) * 1000)
        for ch in b"sp-w1":
            t0 = time.monotonic()
            os.write(fd, bytes([ch]))
            read_until(fd, bytes([ch]) + b"_", 30)
            flat.append((time.monotonic() - t0) * 1000)
        os.write(fd, b"\x15\r")  # Ctrl-U, Enter: no filter
        time.sleep(0.3)
    flat.sort()
    with open("/proc/%d/status" % pid) as f:
        hwm = [l.split()[1] for l in f if l.startswith("VmHWM:")][0]
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    lat.sort()
    print("key answered (ms, %d keys while refreshing every 0.1 s): median %.1f, max %.1f;"
          " peak RSS of the view %s kB" % (len(lat), lat[len(lat) // 2], lat[-1], hwm))
    print("filter keys echoed (ms, %d keys): median %.1f, max %.1f"
          % (len(flat), flat[len(flat) // 2], flat[-1]))


if __name__ == "__main__":
    main()
