#!/usr/bin/env python3
"""Read `tmux capture-pane -p -e` output on stdin; print each line as
"COLOUR<TAB>TEXT": the foreground colour in force at the line's first
visible character (30-37, or "none" for the default) and the plain text.
tmux writes a colour code only where the colour changes, so the state is
carried from line to line."""
import re
import sys

SGR = re.compile(r"\x1b\[([0-9;]*)m")
fg = "none"


def apply(params):
    global fg
    p = [int(x) if x else 0 for x in params.split(";")] if params else [0]
    i = 0
    while i < len(p):
        v = p[i]
        if v == 0 or v == 39:
            fg = "none"
        elif 30 <= v <= 37:
            fg = str(v)
        elif v in (38, 48):  # extended colours: skip their arguments
            i += 2 if i + 1 < len(p) and p[i + 1] == 5 else 4
        i += 1


for line in sys.stdin.read().split("\n"):
    text = []
    first = None
    pos = 0
    for m in SGR.finditer(line):
        chunk = line[pos:m.start()]
        if first is None and chunk.strip():
            first = fg
        text.append(chunk)
        apply(m.group(1))
        pos = m.end()
    chunk = line[pos:]
    if first is None and chunk.strip():
        first = fg
    text.append(chunk)
    print("%s\t%s" % (first or fg, "".join(text)))
