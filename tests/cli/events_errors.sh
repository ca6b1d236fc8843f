# portscope events: bad input is one line on stderr and exit status 2;
# without root (or without BPF) it says so in one line and polls instead.
. "$(dirname "$0")/lib.sh"

# bad_input DESC WANT ARGS...: exit 2, stderr is exactly WANT, no stdout
bad_input() {
	local d=$1 want=$2; shift 2
	"$PORTSCOPE" events "$@" >"$TMP/out" 2>"$TMP/err"
	check_eq "$d: exit status 2" "$?" 2
	check_eq "$d: one line" "$(cat "$TMP/err")" "$want"
	check_eq "$d: nothing on stdout" "$(cat "$TMP/out")" ""
}
bad_input "port 0" "portscope: bad port '0': too small, give 1-65535; see 'portscope help events'" --port 0
bad_input "port 65536" "portscope: bad port '65536': too large, give 1-65535; see 'portscope help events'" --port 65536
bad_input "port abc" "portscope: bad port 'abc': not a number, give 1-65535; see 'portscope help events'" --port abc
bad_input "duration -1" \
	"portscope: bad duration '-1': not a number, give 0.01-8640000 seconds; see 'portscope help events'" --duration -1
bad_input "duration 0" \
	"portscope: bad duration '0': too small, give 0.01-8640000 seconds; see 'portscope help events'" --duration 0
# a value with an escape sequence or a C1 control, and a stray argument
# with a newline: shown as \xNN, the error stays one line that cannot
# repaint the terminal
bad_input "duration with an escape sequence" \
	"portscope: bad duration '1\\x1b[2J': not a number, give 0.01-8640000 seconds; see 'portscope help events'" \
	--duration $'1\e[2J'
bad_input "a stray argument with a newline and a C1 CSI" \
	"portscope: unexpected argument 'a\\x0ab\\xc2\\x9b31m'; see 'portscope help events'" $'a\nb\xc2\x9b31m'
bad_input "unknown unit" "portscope: unknown unit 'no-such-unit-$$'" --unit "no-such-unit-$$"
bad_input "a unit name with a slash" "portscope: unknown unit '../etc'" --unit ../etc
bad_input "pid 0" "portscope: bad pid '0': too small, give 1-4194304; see 'portscope help events'" --pid 0
# a pid that no process has: one that just exited
sleep 0 & gone=$!; wait $gone
bad_input "a pid that is gone" "portscope: no process with pid $gone" --pid "$gone"
bad_input "interval 0.01" \
	"portscope: bad interval '0.01': too small, give 0.05-1200 seconds; see 'portscope help events'" --poll --interval 0.01
bad_input "unknown option" \
	"portscope: unknown option '--bogus'; see 'portscope help events'" --bogus
bad_input "--port twice" \
	"portscope: option '--port' given twice ('1' and '2'); see 'portscope help events'" --port 1 --port 2
bad_input "an argument" \
	"portscope: unexpected argument 'x'; see 'portscope help events'" x

# not root: one line that says why, then the poll backend works
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$TMP"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$PORTSCOPE" events --duration 0.3 >"$TMP/nr.out" 2>"$TMP/nr.err"
	check_eq "not root: exit status 0" "$?" 0
	check_eq "not root: one line on stderr" "$(wc -l <"$TMP/nr.err")" 1
	why="event mode needs root"
	have_bpf || why="this portscope was built without BPF support"
	check_grep "not root: it says event mode is unavailable, why, and that it polls" \
		"$TMP/nr.err" "^portscope: event mode unavailable \($why\); polling every 1 s"
else
	echo "ok - not root: fallback # SKIP needs root and a 'nobody' user to drop to"
fi
