# Shared by the watch tests (source after lib.sh): drive watch_actor.py
# processes through FIFOs and read what a running watch printed.
H=${H:-$(dirname "${BASH_SOURCE[0]}")}

# actor_start NAME: an actor whose commands go through a FIFO; its pid in
# $ACTOR_PID.  Answers accumulate in $TMP/NAME.out.
actor_start() {
	local fd
	mkfifo "$TMP/$1.in"
	: >"$TMP/$1.out"
	exec {fd}<>"$TMP/$1.in"	# read-write: opening does not wait for a peer
	# (a background job's stdin is /dev/null unless redirected inside it)
	spawn bash -c 'exec python3 "$0" <&"$1" >"$2"' "$H/watch_actor.py" "$fd" "$TMP/$1.out"
	ACTOR_PID=$SPAWNED
	eval "ACTOR_FD_$1=$fd"
}

# act NAME CMD...: send CMD and wait (5 s at most) for its answer, which is
# left in $ACT without the "ok CMD " prefix.  Returns 1 on an error answer.
act() {
	local name=$1 fd n; shift
	eval "fd=\$ACTOR_FD_$name"
	n=$(wc -l <"$TMP/$name.out")
	echo "$*" >&"$fd"
	wait_for 5 lines_gt "$TMP/$name.out" "$n" || { echo "# actor $name: no answer to '$*'"; return 1; }
	ACT=$(sed -n "$((n + 1))p" "$TMP/$name.out")
	case $ACT in
	ok*) ACT=${ACT#ok $1}; ACT=${ACT# }; return 0 ;;
	*) echo "# actor $name: $ACT"; return 1 ;;
	esac
}

# lines_gt FILE N: FILE has more than N lines.
lines_gt() { [ "$(wc -l <"$1")" -gt "$2" ]; }
# has FILE REGEX: FILE has a line matching REGEX (for wait_for).
has() { grep -qE -- "$2" "$1"; }
# jhas FILE PYEXPR: some JSON line o of FILE makes PYEXPR true (status 0);
# none does (1); a line that is not JSON or an expression that fails on
# a line, such as a missing key, is an error (2, with the reason).
jhas() {
	python3 - "$1" "$2" <<'PY'
import json, sys
try:
    for line in open(sys.argv[1]):
        o = json.loads(line)
        if eval(sys.argv[2], {}, {"o": o}):
            sys.exit(0)
except Exception as e:
    print("# jhas: %s: %r" % (type(e).__name__, e))
    sys.exit(2)
sys.exit(1)
PY
}
# jnone FILE PYEXPR: every JSON line of FILE makes PYEXPR false; an error
# (not JSON, an expression that fails) is not a pass.
jnone() { jhas "$@"; [ $? -eq 1 ]; }
# check_wait DESC SECONDS CMD...: ok when CMD succeeds within SECONDS.
check_wait() { local d=$1 t=$2; shift 2; if wait_for "$t" "$@"; then ok "$d"; else notok "$d"; fi; }
