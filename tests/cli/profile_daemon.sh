# portscope profile follows a command into the daemon it starts: the
# command forks twice and exits (0, which is profile's status); the daemon
# listens and accepts one connection; profile waits until the daemon has
# ended too, and names its functions.
. "$(dirname "$0")/lib.sh"
need_root "profile_daemon runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/profile_lib.sh"
prof_guard

P=7320
prof_build app -g
( "$PORTSCOPE" profile --json -o "$TMP/d.json" -- "$TMP/app" daemon $P 2>"$TMP/err"
  echo $? >"$TMP/rc" ) &
PROF=$!
_pids+=("$PROF")
listening() { ss -Htln "sport = :$((P + 2))" | grep -q LISTEN; }
check "the daemon listens on $((P + 2))" wait_for 20 listening
check "profile is still running after the command exited" test ! -s "$TMP/rc"
python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5).close()' $((P + 2))
wait_for 20 test -s "$TMP/rc"
check_eq "profile ends with the daemon; the exit status is the command's (0)" "$(cat "$TMP/rc")" 0
check_eq "the daemon's listen is serve_admin()" \
	"$(jq_py "$TMP/d.json" "fn(row('tcp', $((P + 2)), 'listen'))")" "app!serve_admin"
check_eq "its accept is in main()" \
	"$(jq_py "$TMP/d.json" "fn(row('tcp', $((P + 2)), 'accept'))")" "app!main"
check_eq "... from 127.0.0.1" \
	"$(jq_py "$TMP/d.json" "row('tcp', $((P + 2)), 'accept')['peers']")" "['127.0.0.1']"
check_eq "the process that listened is not the command (a grandchild)" \
	"$(jq_py "$TMP/d.json" "len(set(p['pid'] for r in d['ports'] for p in r['processes']))")" 1
check_eq "nothing on stderr" "$(cat "$TMP/err")" ""
