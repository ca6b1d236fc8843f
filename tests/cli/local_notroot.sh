# portscope local as an unprivileged user: other users' sockets say
# "not permitted", with one notice line, not one per socket.
. "$(dirname "$0")/lib.sh"
need_root "local_notroot needs root to drop to another user"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
spawn python3 -c '
import socket, time, sys
ls = [socket.socket() for _ in range(5)]
for s in ls:
    s.bind(("127.0.0.1", 0)); s.listen()
open(sys.argv[1], "w").write("up")
time.sleep(60)' "$TMP/up"
wait_for 10 test -s "$TMP/up"
chmod 755 "$TMP"
mkdir -m 777 "$TMP/nobody"
# nobody's own process, holding two sockets: those it may read
spawn setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import os, socket, sys, time
ls = [socket.socket() for _ in range(2)]
for s in ls:
    s.bind(("127.0.0.1", 0)); s.listen()
open(sys.argv[1], "w").write(str(os.getpid()))
time.sleep(60)' "$TMP/nobody/mine"
wait_for 10 test -s "$TMP/nobody/mine"
mine=$(cat "$TMP/nobody/mine")
setpriv --reuid=65534 --regid=65534 --clear-groups "$PORTSCOPE" local --json >"$TMP/o" 2>"$TMP/e"
check_eq "exits 0 as nobody" "$?" 0
check_eq "seven sockets listed" "$(wc -l <"$TMP/o")" 7
check_eq "root's five say not permitted" "$(grep -c '"owners":\[\],"owner_missing":"not permitted"' "$TMP/o")" 5
check_eq "nobody's own two have their owner, with its name" \
	"$(grep -c "\"uid\":65534,\"owners\":\[{\"pid\":$mine,\"fd\":[0-9]*,\"comm\":\"python3\"" "$TMP/o")" 2
check_eq "exactly one notice line" "$(wc -l <"$TMP/e")" 1
check_grep "the notice says why" "$TMP/e" "not running as root"
setpriv --reuid=65534 --regid=65534 --clear-groups "$PORTSCOPE" local >"$TMP/t" 2>/dev/null
check_grep "text report counts them" "$TMP/t" '^  not permitted \(another user.s process; run as root\): 5$'
