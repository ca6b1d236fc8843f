# portscope local and the command line: bad input gets one clear line and exit 2.
. "$(dirname "$0")/lib.sh"

expect_usage() {	# DESC REGEX ARGS...
	local d=$1 re=$2; shift 2
	"$PORTSCOPE" "$@" >"$TMP/o" 2>"$TMP/e"
	local rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/e")" -eq 1 ] && grep -qE -- "$re" "$TMP/e" &&
	    [ ! -s "$TMP/o" ]; then
		ok "$d"
	else
		notok "$d (exit $rc)"; sed 's/^/#   /' "$TMP/e"
	fi
}
expect_usage "port 0 rejected" "^portscope: bad port '0': too small, give 1-65535; see 'portscope help local'$" local --port 0
expect_usage "port 65536 rejected" "bad port '65536': too large" local --port 65536
expect_usage "port junk rejected" "bad port 'http': not a number" local --port http
expect_usage "pid junk rejected" "bad pid '-3': too small" local --pid -3
expect_usage "missing pid" "no process with pid 4194303" local --pid 4194303
expect_usage "+80 is not a port" "bad port '\+80': not a number" local --port +80
expect_usage "' 80' is not a port" "bad port ' 80': not a number" local --port " 80"
expect_usage "a port with a newline and an escape is one safe line" '^portscope: bad port .8\\x0a0\\x1b\[1m.: not a number' local --port $'8\n0\e[1m'
expect_usage "--port twice" "option '--port' given twice \('80' and '81'\)" local --port 80 --port 81
expect_usage "an unknown short option in a cluster names itself, not the command" \
	"^portscope: unknown option '-Z'; see 'portscope help local'$" local -Zv
expect_usage "... nor the option before it" "unknown option '-Z'" local --json -Zv
expect_usage "-y without -l" "-y answers the overwrite question of -l FILE" local -y
expect_usage "unknown state" "unknown state 'OPEN'" local --state OPEN
expect_usage "unknown owner source" "unknown owner source 'kernel'" local --owners kernel
expect_usage "unknown option" "unknown option '--bogus'" local --bogus
expect_usage "missing value" "needs a value" local --port
expect_usage "stray argument" "unexpected argument 'extra'" local extra
expect_usage "unknown command" "unknown command 'frobnicate'" frobnicate
expect_usage "unknown top-level option" "unknown option '--frob'" --frob
expect_usage "PortQry -wt without a watch" "-wt needs -wport" -wt 5
expect_usage "PortQry -wt with -local" "-wt cannot be used with -local" -local -wt 5
expect_usage "help for an unknown command" "unknown command 'nope'" help nope

"$PORTSCOPE" --version >"$TMP/o"; check_grep "--version" "$TMP/o" '^portscope [0-9]+\.[0-9]+'
"$PORTSCOPE" --help >"$TMP/o"; check_eq "--help exits 0" "$?" 0
check_grep "--help lists commands" "$TMP/o" '^  local '
"$PORTSCOPE" help local >"$TMP/o"; check_grep "help local" "$TMP/o" '^usage: portscope local'
"$PORTSCOPE" local --help >"$TMP/o"; check_grep "local --help" "$TMP/o" '--port N'
"$PORTSCOPE" >/dev/null 2>&1; check_eq "no command exits 2" "$?" 2

# write errors are reported, with status 1
"$PORTSCOPE" local --port 9 >/dev/full 2>"$TMP/e"
check_eq "stdout on a full device: status 1" "$?" 1
check_grep "stdout on a full device: says so" "$TMP/e" "^portscope: cannot write output: No space left on device$"
"$PORTSCOPE" local --port 9 >&- 2>"$TMP/e"
check_eq "stdout closed: status 1" "$?" 1
check_grep "stdout closed: says so" "$TMP/e" "^portscope: cannot write output: Bad file descriptor$"
"$PORTSCOPE" local --port 9 -l /dev/full -y >/dev/null 2>"$TMP/e"
check_eq "-l /dev/full: status 1" "$?" 1
check_grep "-l /dev/full: says so" "$TMP/e" "^portscope: cannot write log file '/dev/full': No space left on device$"

# -l never follows a symbolic link planted at its path
ln -s "$TMP/target" "$TMP/dangling"
expect_usage "a dangling symlink at the -l path counts as existing" \
	"^portscope: log file '$TMP/dangling' exists; use -y to overwrite it$" local -l "$TMP/dangling"
expect_usage "-y does not follow it either" "it is a symbolic link \(not followed\)" \
	local -l "$TMP/dangling" -y
check "... and its target was never created" test ! -e "$TMP/target"

# the log: the shared header, the report, the end line
"$PORTSCOPE" local --port 9 -l "$TMP/log" >"$TMP/o" 2>"$TMP/e"
check_eq "-l: status 0" "$?" 0
check_eq "-l: line 1 is the title" "$(sed -n 1p "$TMP/log")" "portscope Version $("$PORTSCOPE" --version | sed -n 's/^portscope //p') Log File"
check_grep "-l: the date" "$TMP/log" "^System Date: [A-Z][a-z]{2} [A-Z][a-z]{2} [0-9 ]{2} [0-9:]{8} [0-9]{4}$"
check_grep "-l: the command run" "$TMP/log" "^ \S*portscope local --port 9 -l $TMP/log$"
check_grep "-l: the computer" "$TMP/log" "^ $(hostname)$"
check "-l: the report as on stdout" grep -qxF "$(head -n 1 "$TMP/o")" "$TMP/log"
check_eq "-l: the end line" "$(tail -n 1 "$TMP/log")" "========= end of log file ========="
"$PORTSCOPE" local --port 9 --json -l "$TMP/logj" -y >"$TMP/oj" 2>"$TMP/e"
check "-l with --json: the log is the JSON output itself" cmp -s "$TMP/oj" "$TMP/logj"

# interrupted: the log still ends (a test hook holds the run after the dump)
mkdir "$TMP/pause"
PORTSCOPE_TEST_PAUSE="dump:$TMP/pause" "$PORTSCOPE" local --port 9 -l "$TMP/logi" -y >/dev/null 2>&1 &
lp=$!; _pids+=("$lp")
wait_for 10 test -e "$TMP/pause/paused"
kill -TERM "$lp"; wait "$lp"; rc=$?
check_eq "-l, SIGTERM mid-run: killed by the signal" "$rc" 143
check_eq "-l, SIGTERM mid-run: the log ends all the same, saying why" "$(tail -n 2 "$TMP/logi")" \
	"(stopped by SIGTERM)
========= end of log file ========="
check_grep "-l, SIGTERM mid-run: after its header" "$TMP/logi" "^Local computer name:$"

# --pid of another user's process, not root: an error, as watch --pid says
if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$TMP"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PORTSCOPE" local --pid 1 >"$TMP/o" 2>"$TMP/e"
	check_eq "not root, --pid of root's process: status 2" "$?" 2
	check_eq "not root, --pid of root's process: one line, nothing else" "$(cat "$TMP/e")$(cat "$TMP/o")" \
		"portscope: cannot read the descriptors of pid 1: not permitted (run as root)"
else
	notok "--pid of another user's process needs root to become another user"
fi
