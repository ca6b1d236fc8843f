# portscope profile: bad input is one line and exit 2 (no command, a
# command that is not there, --duration 0, numbers out of range, a bad
# --expect file); the command's exit status, or 128+signal, is profile's.
. "$(dirname "$0")/lib.sh"

bad() {	# bad DESC REGEX ARGS...: one line on stderr matching REGEX, exit 2
	local d=$1 re=$2; shift 2
	"$PORTSCOPE" profile "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qE -- "$re" "$TMP/err" &&
	   [ ! -s "$TMP/out" ]; then
		ok "$d"
	else
		notok "$d"; echo "#   exit $rc; stderr:"; sed 's/^/#     /' "$TMP/err"
	fi
}
bad "no command" "^portscope: no command given" 
bad "only --" "^portscope: no command given" --
bad "a command that is not there" "^portscope: cannot run 'no-such-cmd-$$': No such file" -- no-such-cmd-$$
bad "a command path that is not there" "^portscope: cannot run '/nonexistent/x': No such file" -- /nonexistent/x
bad "a directory is not a command" "^portscope: cannot run '/tmp': Is a directory" -- /tmp
bad "--duration 0" "^portscope: bad duration '0': too small" --duration 0 -- true
bad "--duration -1" "^portscope: bad duration '-1'" --duration -1 -- true
bad "--duration too large" "^portscope: bad duration '99999999999': too large" --duration 99999999999 -- true
bad "--pid 0" "^portscope: bad pid '0'" --pid 0
bad "--pid not a number" "^portscope: bad pid '12x'" --pid 12x
bad "--pid of no process" "^portscope: no process with pid 4194304" --pid 4194304
bad "--pid and a command" "^portscope: give a command or --pid/--unit, not both" --pid 1 -- true
bad "--pid and --unit" "^portscope: give --pid or --unit, not both" --pid 1 --unit x
bad "--unit that does not exist" "^portscope: unknown unit 'no-such-unit-$$'" --unit no-such-unit-$$
bad "--user that does not exist" "^portscope: unknown user 'no-such-user-$$'" --user no-such-user-$$ -- true
bad "--duration given twice" "^portscope: option '--duration' given twice" --duration 1 --duration 2 -- true
bad "an unknown option" "^portscope: unknown option '--frobnicate'" --frobnicate -- true
bad "--html without a file" "^portscope: option '--html' needs a value" --html
bad "--expect file missing" "^portscope: cannot open '/nonexistent/doc': No such file" --expect /nonexistent/doc -- true
printf 'tcp/443 connect\nudp/99999 send\n' >"$TMP/doc"
bad "--expect: a port out of range, with its line" "^portscope: '$TMP/doc' line 2: bad port '99999': too large, give 1-65535" --expect "$TMP/doc" -- true
printf 'tcp/80 fetch\n' >"$TMP/doc"
bad "--expect: an unknown direction" "line 1: bad direction 'fetch'" --expect "$TMP/doc" -- true
printf 'sctp/80 listen\n' >"$TMP/doc"
bad "--expect: an unknown protocol" "line 1: bad protocol 'sctp'" --expect "$TMP/doc" -- true

"$PORTSCOPE" profile --help >"$TMP/help"
check_eq "--help exits 0" "$?" 0
check_grep "--help shows the usage" "$TMP/help" "^usage: portscope profile"

# what needs root says so in one line
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PORTSCOPE" profile -- true \
		>/dev/null 2>"$TMP/err"
	rc=$?
	check_eq "not root: exit 1 with one line" "$rc $(wc -l <"$TMP/err")" "1 1"
	check_grep "not root: says root is needed" "$TMP/err" "^portscope: profile needs root"
fi

. "$(dirname "$0")/helpers/profile_lib.sh"
prof_guard
"$PORTSCOPE" profile -o /dev/null -- sh -c 'exit 7'
check_eq "the command's exit status 7 is profile's" "$?" 7
"$PORTSCOPE" profile -o /dev/null -- sh -c 'kill -TERM $$'
check_eq "a command killed by SIGTERM: 143" "$?" 143
"$PORTSCOPE" profile -o "$TMP/quiet" -- true
check_eq "a command with no network: exit 0" "$?" 0
check_grep "... and the summary says the network was not used" "$TMP/quiet" "^  network used: +no "
start=$(date +%s)
"$PORTSCOPE" profile --duration 0.5 -o /dev/null -- sleep 30 2>"$TMP/err"
rc=$?
check "--duration 0.5 stops a command that runs longer (in under 10 s)" test $(( $(date +%s) - start )) -lt 10
check_eq "... its exit status is the signal's (SIGTERM: 143)" "$rc" 143
check_grep "... and says it stopped it" "$TMP/err" "^portscope: stopping the 1 process still running"
cg=$(findmnt -n -t cgroup2 -o TARGET | head -1)
check "the cgroup v2 mount is found" test -d "$cg"
# a cgroup is portscope-profile-PID-N; one whose portscope has exited was
# left behind (a profile running elsewhere on the machine still has its own)
left=
for d in "$cg"/portscope-profile-*; do
	[ -d "$d" ] || continue
	p=${d##*/portscope-profile-}; p=${p%%-*}
	kill -0 "$p" 2>/dev/null || left="$left ${d##*/}"
done
check_eq "no profile cgroup is left behind by an exited portscope" "$left" ""

# --user: the command runs as that user (root only)
if id nobody >/dev/null 2>&1; then
	"$PORTSCOPE" profile --user nobody -o "$TMP/u.txt" -- id -u >"$TMP/uid"
	check_eq "--user nobody: the command runs as nobody, exit 0" "$? $(cat "$TMP/uid")" "0 $(id -u nobody)"
fi
