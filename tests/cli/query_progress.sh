#!/usr/bin/env bash
# The progress line of a long query: on a terminal (stderr a tty) it shows
# ports done of total, verdicts so far, rate and time left on stderr,
# redrawn in place and erased at the end; never when stderr is not a
# terminal, never with --json or -q, never in the -l log.  A slow server
# on port 25 (one byte every 20 ms) keeps the query going for its probe
# deadline (5 s), in a namespace of our own.
. "$(dirname "$0")/lib.sh"
need_root "a network namespace"
N=psqp$$
ip netns add "$N" && on_exit ip netns del "$N" || { notok "cannot create namespace"; exit 0; }
ip -n "$N" link set lo up
spawn ip netns exec "$N" python3 "$(dirname "$0")/helpers/drip_server.py" 127.0.0.1 0.02 25 >"$TMP/d"
wait_for 5 grep -q ready "$TMP/d" || { notok "drip server did not start"; exit 0; }
pty="$(dirname "$0")/helpers/pty_run.py"
q() { ip netns exec "$N" python3 "$pty" "$@"; }

# check_progress DESC FILE: FILE (what a terminal got) holds a progress
# line, redrawn in place, erased before the verdict of port 25 and at the
# end, and the verdict lines are whole.
check_progress() {
	python3 - "$2" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read().decode("latin-1")
erase = "\r\x1b[K"
bars = [m for m in re.finditer(re.escape(erase) + r"(\d+)/(\d+) ports  (\d+) listening  (\d+) not listening  (\d+) filtered  (\d+)/s(  (\d+):(\d\d) left)?", raw)]
if len(bars) < 2:
    sys.exit(f"fewer than 2 progress lines: {len(bars)}")
for m in bars:
    done, total, l, nl, f = (int(m.group(i)) for i in range(1, 6))
    if total != 11 or done > total or l + nl + f != done or nl < 10 and done >= 10:
        sys.exit(f"bad progress line: {m.group(0)!r}")
last = bars[-1]
if (last.group(1), last.group(4)) != ("10", "10"):
    sys.exit(f"last progress line: {last.group(0)!r}")
if last.group(7) is None:
    sys.exit("no time left shown")
rest = raw[last.end():]
if not rest.startswith(erase):
    sys.exit(f"progress not erased: {rest[:40]!r}")
v = raw.find("TCP port 25 (smtp service): LISTENING")
if v < last.end():
    sys.exit("the verdict of 25 came before the last progress line")
lines = [l for l in re.split(r"\r\n|\n", raw.replace(erase, "\n")) if l.startswith("TCP port")]
if len(lines) != 11:
    sys.exit(f"{len(lines)} verdict lines: {lines!r}")
if "ports  " in raw[v:]:
    sys.exit("progress after the last verdict")
PY
	local rc=$?
	if [ $rc -eq 0 ]; then ok "$1"; else notok "$1"; fi
}

q "$TMP/tty" "$PORTSCOPE" query -nr -r 20:30 -l "$TMP/log" -y 127.0.0.1 >"$TMP/st"
check_eq "on a terminal: exit 1 (ports 20-30 but 25 are closed)" "$(cat "$TMP/st")" "status 1"
check_progress "on a terminal: progress redrawn in place, erased, verdicts whole" "$TMP/tty"
check_nogrep "on a terminal: the log has no progress" "$TMP/log" 'ports  |\[K'
check_eq "on a terminal: the log has the 11 verdicts" "$(grep -c '^TCP port' "$TMP/log")" 11

q "$TMP/tty2" --stderr "$TMP/err" "$PORTSCOPE" query -nr -r 20:30 127.0.0.1 >"$TMP/st"
check_eq "stderr to a file: exit 1" "$(cat "$TMP/st")" "status 1"
check_eq "stderr to a file: it stays empty" "$(wc -c <"$TMP/err")" 0
check_nogrep "stderr to a file: no progress on the terminal" "$TMP/tty2" 'ports  '
check_eq "stderr to a file: the 11 verdicts" "$(grep -ac '^TCP port' "$TMP/tty2")" 11

q "$TMP/tty6" --stdout "$TMP/out6" "$PORTSCOPE" query -nr -r 20:30 127.0.0.1 >"$TMP/st"
check_eq "stdout to a file: exit 1 (the worst verdict: NOT LISTENING)" "$(cat "$TMP/st")" "status 1"
check "stdout to a file: progress on the terminal" grep -aq '10/11 ports  ' "$TMP/tty6"
check "stdout to a file: erased at the end" \
	python3 -c 'import sys; raw = open(sys.argv[1], "rb").read(); sys.exit(not raw.endswith(b"\r\x1b[K"))' "$TMP/tty6"
check_nogrep "stdout to a file: no progress in it" "$TMP/out6" 'ports  |\[K'
check_eq "stdout to a file: the 11 verdicts" "$(grep -c '^TCP port' "$TMP/out6")" 11

q "$TMP/tty3" "$PORTSCOPE" query --json -r 20:30 127.0.0.1 >"$TMP/st"
check_eq "--json on a terminal: exit 1" "$(cat "$TMP/st")" "status 1"
check_nogrep "--json on a terminal: no progress" "$TMP/tty3" 'ports  |\[K'

q "$TMP/tty4" "$PORTSCOPE" query -q -e 25 127.0.0.1 >"$TMP/st"
check_eq "-q on a terminal: exit 0 (LISTENING)" "$(cat "$TMP/st")" "status 0"
check_eq "-q on a terminal: prints nothing" "$(wc -c <"$TMP/tty4")" 0

# through a pipe (no terminal at all)
ip netns exec "$N" "$PORTSCOPE" query -nr -r 20:30 127.0.0.1 2>&1 | cat >"$TMP/pipe"
check_nogrep "in a pipe: no progress" "$TMP/pipe" 'ports  |\[K'
check_eq "in a pipe: the 11 verdicts" "$(grep -c '^TCP port' "$TMP/pipe")" 11

# interrupted while the progress line is shown: the terminal is left clean
# and the log still gets its end line
q "$TMP/tty5" timeout -s INT 3 "$PORTSCOPE" query -nr -r 20:30 -l "$TMP/log5" -y 127.0.0.1 >"$TMP/st"
check "SIGINT during progress: progress was shown" grep -aq 'ports  ' "$TMP/tty5"
check "SIGINT during progress: the line is erased at the end" \
	python3 -c 'import sys; raw = open(sys.argv[1], "rb").read(); i = raw.rfind(b"ports  "); sys.exit(b"\r\x1b[K" not in raw[i:])' "$TMP/tty5"
check_eq "SIGINT during progress: the log ends with its end line" "$(tail -n 1 "$TMP/log5")" "========= end of log file ========="
check_grep "SIGINT during progress: the log says why" "$TMP/log5" '^\(stopped by SIGINT\)$'
