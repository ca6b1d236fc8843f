# portscope watch: bad input is one clear line on stderr and status 2;
# --help is status 0.
. "$(dirname "$0")/lib.sh"

# expect_usage DESC WANT_LINE ARGS...: status 2 and exactly WANT_LINE on stderr.
expect_usage() {
	local d=$1 want=$2; shift 2
	"$PORTSCOPE" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ "$rc" -eq 2 ] && [ "$(cat "$TMP/err")" == "$want" ] && [ ! -s "$TMP/out" ]; then
		ok "$d"
	else
		notok "$d"; echo "#   status $rc, stderr: $(cat "$TMP/err")"; echo "#   want: $want"
	fi
}

expect_usage "port 0" "portscope: port '0' is too small: give 1-65535" watch --port 0
expect_usage "port 65536" "portscope: port '65536' is too large: give 1-65535" watch --port 65536
expect_usage "port abc" "portscope: port 'abc' is invalid: give 1-65535" watch --port abc
expect_usage "-wport 70000" "portscope: port '70000' is too large: give 1-65535" -wport 70000
expect_usage "pid 0" "portscope: pid '0' is too small: give 1-4194304" watch --pid 0
expect_usage "a pid that does not exist" "portscope: no process with pid 4194304" watch --pid 4194304
expect_usage "-wpid of no process" "portscope: no process with pid 4194303" -wpid 4194303 -wt 1
expect_usage "port and pid" "portscope: watch one port or one pid, not both" watch --port 80 --pid 1
expect_usage "neither port nor pid" \
	"portscope: watch needs --port N or --pid PID; see 'portscope help watch'" watch --interval 1
expect_usage "-wt 0" "portscope: -wt '0' is too small: give 1-1200 seconds" -wport 80 -wt 0
expect_usage "-wt 1201" "portscope: -wt '1201' is too large: give 1-1200 seconds" -wport 80 -wt 1201
expect_usage "-wt takes whole seconds" "portscope: -wt '0.5' is invalid: give 1-1200 seconds" -wport 80 -wt 0.5
expect_usage "--interval 0.01" "portscope: interval '0.01' is too small: give 0.05-1200 seconds" \
	watch --port 80 --interval 0.01
expect_usage "--interval 1200.5" "portscope: interval '1200.5' is too large: give 0.05-1200 seconds" \
	watch --port 80 --interval 1200.5
expect_usage "--interval x" "portscope: interval 'x' is invalid: give 0.05-1200 seconds" \
	watch --port 80 --interval x
expect_usage "-wt without -wport" "portscope: -wt needs -wport PORT or -wpid PID" -wt 5
expect_usage "-wt with -local" \
	"portscope: -wt cannot be used with -local: it sets the interval of -wport or -wpid" -local -wt 5
expect_usage "unwritable log path" \
	"portscope: cannot open log file '$TMP/no/such/dir/log': No such file or directory" \
	watch --port 80 -l "$TMP/no/such/dir/log"
expect_usage "unknown option" "portscope: unknown option '--bogus'; see 'portscope help watch'" \
	watch --port 80 --bogus
expect_usage "extra argument" "portscope: unexpected argument 'extra'; see 'portscope help watch'" \
	watch --port 80 extra
expect_usage "owners none is not a watch" "portscope: unknown owner source 'none': give bpf or procfs" \
	watch --port 80 --owners none

"$PORTSCOPE" watch --help >"$TMP/help" 2>&1
check_eq "--help: status 0" "$?" 0
check_grep "--help: usage" "$TMP/help" "^usage: portscope watch --port N"
"$PORTSCOPE" help watch >"$TMP/help2" 2>&1
check "help watch: the same text" cmp -s "$TMP/help" "$TMP/help2"

# --count ends the watch by itself, status 0
"$PORTSCOPE" watch --port 9 --interval 0.05 --count 3 >"$TMP/c" 2>&1
check_eq "--count 3: status 0" "$?" 0
check_grep "--count 3: says why it stopped" "$TMP/c" "watch stopped \(all checks done\)"

# as an unprivileged user, another user's process cannot be watched
if [ "$(id -u)" -eq 0 ]; then
	sleep 30 &
	sl=$!; _pids+=("$sl")
	chmod 755 "$TMP"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PORTSCOPE" watch --pid "$sl" --interval 0.2 >"$TMP/o" 2>"$TMP/e"
	check_eq "not root, another user's pid: status 2" "$?" 2
	check_eq "not root, another user's pid: one line, nothing else" "$(cat "$TMP/e")$(cat "$TMP/o")" \
		"portscope: cannot read the descriptors of pid $sl: not permitted (run as root)"
fi
