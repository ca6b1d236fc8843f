# Shared by the event engine's tests (source after lib.sh): run ev_work.py
# workloads and a portscope events, and count what it printed.
H=${H:-$(dirname "${BASH_SOURCE[0]}")}

# ev_guard: end the script with a counted skip when event mode cannot load
# here (built without BPF, no BTF, hooks refused).
ev_guard() {
	if declare -F need_bpf >/dev/null; then
		need_bpf "events: eBPF event mode" || exit 0
	fi
	"$PORTSCOPE" events --duration 0.01 >/dev/null 2>"$TMP/guard.err"
	if grep -q "event mode unavailable" "$TMP/guard.err"; then
		echo "ok - events: eBPF event mode # SKIP $(head -1 "$TMP/guard.err")"
		exit 0
	fi
}

# work NAME MODE ARGS...: start ev_work.py MODE; its stdin is a FIFO (see
# go), its output $TMP/NAME.out; waits (10 s) until it says "ready".
work() {
	local n=$1 fd; shift
	mkfifo "$TMP/$n.in"
	exec {fd}<>"$TMP/$n.in"
	spawn bash -c 'fd=$1 out=$2; shift 2; exec python3 "$@" <&"$fd" >"$out"' _ \
		"$fd" "$TMP/$n.out" "$H/ev_work.py" "$@"
	WORK_PID=$SPAWNED
	eval "WFD_$n=$fd"
	wait_for 10 grep -q '^ready' "$TMP/$n.out" || echo "# work $n: not ready"
}
# go NAME: let a waiting workload act; godone NAME waits (60 s) until it
# has said "done".
go() { local fd; eval "fd=\$WFD_$1"; echo go >&"$fd"; }
godone() { go "$1"; wait_for 60 grep -q '^done' "$TMP/$1.out" || echo "# work $1: not done"; }
# val NAME KEY: the value a workload printed as "KEY value".
val() { sed -n "s/^$2 //p" "$TMP/$1.out" | head -1; }

# ev_start FILE REGEX ARGS...: portscope events --json ARGS into FILE
# (stderr FILE.err); waits (10 s) until a line matches REGEX (a socket
# that was there before: the programs are attached by then).
ev_start() {
	local f=$1 re=$2; shift 2
	spawn "$PORTSCOPE" events --json "$@" >"$f" 2>"$f.err"
	EV_PID=$SPAWNED
	wait_for 10 grep -qE -- "$re" "$f" || echo "# events: no line /$re/ in 10 s"
}
# ev_stop: stop the events process started last and wait for it.
ev_stop() { kill "$EV_PID" 2>/dev/null; wait "$EV_PID" 2>/dev/null; }

# jcount FILE PYEXPR: how many JSON lines o of FILE make PYEXPR true.
jcount() {
	python3 - "$1" "$2" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if eval(sys.argv[2], {}, {"o": o}):
        n += 1
print(n)
PY
}
# jset FILE PYEXPR KEYEXPR: the sorted distinct values of KEYEXPR (comma
# separated) over the lines that make PYEXPR true.
jset() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
s = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    if eval(sys.argv[2], {}, {"o": o}):
        s.add(eval(sys.argv[3], {}, {"o": o}))
print(",".join(str(x) for x in sorted(s)))
PY
}
# count_at_least N FILE PYEXPR: for wait_for.
count_at_least() { [ "$(jcount "$2" "$3")" -ge "$1" ]; }
# ev_attached PID: process PID holds the event engine's nine program links
# (a watch shows nothing to say when they are attached).
ev_attached() {
	[ "$(find /proc/"$1"/fd -lname 'anon_inode:bpf_link' 2>/dev/null | wc -l)" -ge 9 ]
}
