# portscope watch: bad input is one clear line on stderr and status 2;
# --help is status 0.
. "$(dirname "$0")/lib.sh"
H="; see 'portscope help watch'"

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

expect_usage "port 0" "portscope: bad port '0': too small, give 1-65535; see 'portscope help watch'" watch --port 0
expect_usage "port 65536" "portscope: bad port '65536': too large, give 1-65535; see 'portscope help watch'" watch --port 65536
expect_usage "port abc" "portscope: bad port 'abc': not a number, give 1-65535; see 'portscope help watch'" watch --port abc
expect_usage "-wport 70000" "portscope: bad port '70000': too large, give 1-65535; see 'portscope help watch'" -wport 70000
expect_usage "pid 0" "portscope: bad pid '0': too small, give 1-4194304; see 'portscope help watch'" watch --pid 0
expect_usage "a pid that does not exist" "portscope: no process with pid 4194304" watch --pid 4194304
expect_usage "-wpid of no process" "portscope: no process with pid 4194303" -wpid 4194303 -wt 1
expect_usage "port and pid" "portscope: watch one port or one pid, not both; see 'portscope help watch'" watch --port 80 --pid 1
expect_usage "neither port nor pid" \
	"portscope: watch needs --port N or --pid PID; see 'portscope help watch'" watch --interval 1
expect_usage "-wt 0" "portscope: bad -wt '0': too small, give 1-1200 seconds; see 'portscope help watch'" -wport 80 -wt 0
expect_usage "-wt 1201" "portscope: bad -wt '1201': too large, give 1-1200 seconds; see 'portscope help watch'" -wport 80 -wt 1201
expect_usage "-wt takes whole seconds" "portscope: bad -wt '0.5': not a number, give 1-1200 seconds; see 'portscope help watch'" -wport 80 -wt 0.5
expect_usage "--interval 0.01" "portscope: bad interval '0.01': too small, give 0.05-1200 seconds; see 'portscope help watch'" \
	watch --port 80 --interval 0.01
expect_usage "--interval 1200.5" "portscope: bad interval '1200.5': too large, give 0.05-1200 seconds; see 'portscope help watch'" \
	watch --port 80 --interval 1200.5
expect_usage "--interval x" "portscope: bad interval 'x': not a number, give 0.05-1200 seconds; see 'portscope help watch'" \
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
expect_usage "+80 is not a port" "portscope: bad port '+80': not a number, give 1-65535$H" watch --port +80
expect_usage "' 80' is not a port" "portscope: bad port ' 80': not a number, give 1-65535$H" watch --port " 80"
expect_usage "-wport twice" "portscope: option '--port' given twice ('80' and '81')$H" -wport 80 -wport 81
expect_usage "--interval twice" "portscope: option '--interval' given twice ('1' and '2')$H" \
	watch --port 80 --interval 1 --interval 2
expect_usage "-l twice" "portscope: option '-l' given twice ('$TMP/a' and '$TMP/b')$H" \
	watch --port 80 -l "$TMP/a" -l "$TMP/b"
expect_usage "-y without -l" "portscope: -y answers the overwrite question of -l FILE: give -l$H" \
	watch --port 80 -y
expect_usage "an unknown short option in a cluster names itself" \
	"portscope: unknown option '-Z'$H" watch --port 80 -vZ
expect_usage "an unknown short option first in a cluster names itself" \
	"portscope: unknown option '-Z'$H" watch --json --port 80 -Zv
expect_usage "a flag given a value" "portscope: option '--json' takes no value$H" \
	watch --port 80 --json=1
expect_usage "a missing value" "portscope: option '--port' needs a value$H" watch --port
expect_usage "-l without a file" "portscope: option '-l' needs a value$H" watch --port 80 -l
expect_usage "owners none is not a watch" "portscope: unknown owner source 'none': give bpf or procfs; see 'portscope help watch'" \
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
else
	skip "not root, another user's pid" "needs root to run as another user"
fi

# write errors are reported, with status 1
"$PORTSCOPE" watch --port 9 --interval 0.05 --count 2 >/dev/full 2>"$TMP/e"
check_eq "stdout on a full device: status 1" "$?" 1
check_grep "stdout on a full device: says so" "$TMP/e" "^portscope: cannot write output: No space left on device$"
"$PORTSCOPE" watch --port 9 --interval 0.05 --count 2 >&- 2>"$TMP/e"
check_eq "stdout closed: status 1" "$?" 1
check_grep "stdout closed: says so" "$TMP/e" "^portscope: cannot write output: Bad file descriptor$"
"$PORTSCOPE" watch --port 9 --interval 0.05 --count 2 -l /dev/full -y >/dev/null 2>"$TMP/e"
check_eq "-l /dev/full: status 1" "$?" 1
check_grep "-l /dev/full: says so" "$TMP/e" "^portscope: cannot write log file '/dev/full': No space left on device$"
check_eq "-l /dev/full: said once" "$(grep -c 'cannot write log file' "$TMP/e")" 1

# -l never follows a symbolic link planted at its path
ln -s "$TMP/target" "$TMP/dangling"
expect_usage "a dangling symlink at the -l path counts as existing" \
	"portscope: log file '$TMP/dangling' exists; use -y to overwrite it" \
	watch --port 9 --count 1 -l "$TMP/dangling"
expect_usage "-y does not follow a symlink either" \
	"portscope: cannot open log file '$TMP/dangling': it is a symbolic link (not followed)" \
	watch --port 9 --count 1 -l "$TMP/dangling" -y
check "... and its target was never created" test ! -e "$TMP/target"
echo precious >"$TMP/precious"
ln -s "$TMP/precious" "$TMP/link"
expect_usage "a symlink to a file is not followed with -y" \
	"portscope: cannot open log file '$TMP/link': it is a symbolic link (not followed)" \
	watch --port 9 --count 1 -l "$TMP/link" -y
check_eq "... and the file it points to is untouched" "$(cat "$TMP/precious")" precious
