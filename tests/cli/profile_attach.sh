# portscope profile --pid attaches to a running process (and what it
# starts) until it exits, and names the functions it uses.
. "$(dirname "$0")/lib.sh"
need_root "profile_attach runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/profile_lib.sh"
prof_guard

P=7340
prof_build app -g -fomit-frame-pointer
tcp_server $P
mkfifo "$TMP/in"
exec 3<>"$TMP/in"
# (an asynchronous command's stdin is /dev/null unless its own redirection says)
spawn bash -c 'exec "$0" wait "$1" <&3' "$TMP/app" $P
APP=$SPAWNED
spawn "$PORTSCOPE" profile --pid $APP --json -o "$TMP/a.json" 2>"$TMP/err"
PROF=$SPAWNED
check "profile says it is attached" wait_for 20 grep -q "^portscope: profiling pid $APP" "$TMP/err"
echo go >&3
wait "$PROF"
check_eq "profile ends when the process exits, status 0" "$?" 0
check_eq "the three ports with their functions" \
	"$(jq_py "$TMP/a.json" "[fn(row('tcp', $P, 'connect')), fn(row('udp', $((P + 1)), 'send')), fn(row('tcp', $((P + 2)), 'listen'))]")" \
	"['app!fetch_updates', 'app!announce', 'app!serve_admin']"
check_eq "the JSON says what was attached to" \
	"$(jq_py "$TMP/a.json" "d['attached']")" "pid $APP and its descendants"
check_eq "all by the attached pid" \
	"$(jq_py "$TMP/a.json" "sorted(set(p['pid'] for r in d['ports'] for p in r['processes']))")" "[$APP]"
check_eq "the server that was there before is not in the profile" \
	"$(jq_py "$TMP/a.json" "row('tcp', $P, 'listen')")" "{}"

# Ctrl-C (SIGINT) ends an attached profile too, with its report
spawn sleep 60
S=$SPAWNED
spawn "$PORTSCOPE" profile --pid $S -o "$TMP/s.txt" 2>"$TMP/err2"
PROF=$SPAWNED
wait_for 20 grep -q "^portscope: profiling" "$TMP/err2"
kill -INT "$PROF"
wait "$PROF"
check_eq "SIGINT: profile ends with status 0" "$?" 0
check_grep "... and reports (no network used)" "$TMP/s.txt" "^  network used: +no "

# --unit: a systemd unit is its cgroup; here one made for the test
cg=$(findmnt -n -t cgroup2 -o TARGET | head -1)
unit=pstest-$$.service
if [ -d "$cg" ] && mkdir "$cg/$unit" 2>/dev/null; then
	on_exit "rmdir '$cg/$unit'"
	mkfifo "$TMP/in2"
	exec 4<>"$TMP/in2"
	# the shell moves itself into the unit's cgroup, then runs the program
	spawn bash -c 'echo $$ >"$1/cgroup.procs" && exec "$2" wait "$3" <&4' _ "$cg/$unit" "$TMP/app" $P
	U=$SPAWNED
	spawn "$PORTSCOPE" profile --unit "pstest-$$" --duration 20 --json -o "$TMP/u.json" 2>"$TMP/err3"
	PROF=$SPAWNED
	check "--unit: profile says it is attached" wait_for 20 grep -q "^portscope: profiling unit pstest-$$" "$TMP/err3"
	echo go >&4
	wait "$U"
	kill -INT "$PROF"
	wait "$PROF"
	check_eq "--unit: ends on SIGINT with status 0" "$?" 0
	check_eq "--unit: the unit's process and its functions" \
		"$(jq_py "$TMP/u.json" "[fn(row('tcp', $P, 'connect')), fn(row('tcp', $((P + 2)), 'listen'))]")" \
		"['app!fetch_updates', 'app!serve_admin']"
else
	skip "--unit" "cannot make a cgroup under '$cg'"
fi
