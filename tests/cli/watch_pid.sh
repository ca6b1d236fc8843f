# portscope watch --pid: every socket of one process, whatever its port;
# sockets of other processes never show; when the process exits the watch
# shows its sockets gone, says so, and ends by itself with status 0.
. "$(dirname "$0")/lib.sh"
need_root "watch_pid runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/watch_lib.sh"

actor_start a
act a pid; apid=$ACT
actor_start b
act b pid; bpid=$ACT
act a udp_bind U 127.0.0.1 7001
act b tcp_listen BL 127.0.0.1 7002 5

spawn "$PORTSCOPE" watch --pid "$apid" --interval 0.2 --json >"$TMP/j" 2>"$TMP/j.err"
wjson=$SPAWNED
spawn "$PORTSCOPE" watch --pid "$apid" --interval 0.2 >"$TMP/t" 2>"$TMP/t.err"
wtext=$SPAWNED
check_wait "json: the first check lists the process's UDP socket" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o.get('initial') and o['proto'] == 'udp' and o['local_port'] == 7001"
check_wait "text: first check" 10 has "$TMP/t" "  NOW +UDP +127\.0\.0\.1:7001 +\*:\* +UNCONN +pid $apid python3"

act a tcp_listen L 127.0.0.1 7003 5
act a tcp_listen L6 ::1 7004 5
check_wait "json: a new listener of the process, any port" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o['state'] == 'LISTEN' and o['local_port'] == 7003 and o['owners'][0]['pid'] == $apid"
check_wait "json: and one on IPv6" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o['state'] == 'LISTEN' and o['family'] == 6 and o['local_port'] == 7004"
act a tcp_connect C 127.0.0.1 7002
check_wait "json: its connection to another process's listener" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o['remote_port'] == 7002 and o['state'] == 'ESTABLISHED'"
act a close U
check_wait "json: the closed UDP socket is gone" 10 jhas "$TMP/j" \
	"o['event'] == 'gone' and o['proto'] == 'udp' and o['local_port'] == 7001"
check_wait "text: GONE UDP" 10 has "$TMP/t" "  GONE +UDP +127\.0\.0\.1:7001 +\*:\* +was UNCONN +was held by pid $apid "
python3 - "$TMP/j" >"$TMP/others" <<'PY'
import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l).get("local_port") == 7002))
PY
check_eq "the other process's listener never shows" "$(cat "$TMP/others")" 0

# the process exits: everything gone, an exit event, and the watch ends
act a exit
t0=$(date +%s%N)
wait_for 10 sh -c "! kill -0 $wjson 2>/dev/null"
wait $wjson; rc=$?
t1=$(date +%s%N)
check_eq "json: the watch ends by itself with status 0 when the process exits" "$rc" 0
check "json: ... promptly ($(( (t1 - t0) / 1000000 )) ms; bound 10 s)" test $(( (t1 - t0) / 1000000 )) -lt 10000
python3 - "$TMP/j" >"$TMP/order" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
exit_at = [i for i, o in enumerate(ev) if o["event"] == "exit"]
gone_at = [i for i, o in enumerate(ev) if o["event"] == "gone" and o.get("local_port") in (7003, 7004)]
print("ok" if len(exit_at) == 1 and len(gone_at) == 2 and max(gone_at) < exit_at[0] else "%r %r" % (exit_at, gone_at))
PY
check_eq "json: its sockets are gone first, then the one exit event" "$(cat "$TMP/order")" ok
check "json: the last event is 'exit' with the pid" jhas <(tail -n 1 "$TMP/j") \
	"o['event'] == 'exit' and o['pid'] == $apid and o['comm'] == 'python3'"
for port in 7003 7004; do
	check "json: its listener on $port is gone" jhas "$TMP/j" "o['event'] == 'gone' and o['local_port'] == $port"
done
wait_for 10 sh -c "! kill -0 $wtext 2>/dev/null"
wait $wtext; rc=$?
check_eq "text: the watch ends with status 0" "$rc" 0
check_grep "text: says the process exited" "$TMP/t" "  EXIT +process $apid \(python3\) exited$"
check_grep "text: and why it stopped" <(tail -n 2 "$TMP/t") "watch stopped \(the process exited\)"
check_eq "no warnings" "$(warnings "$TMP/t.err" "$TMP/j.err")" ""

# PortQry's form means the same; a process that is already gone is an error
act b pid
spawn "$PORTSCOPE" -wpid "$bpid" -wt 1 >"$TMP/pq" 2>"$TMP/pq.err"
pq=$SPAWNED
check_wait "-wpid PID -wt 1: first check, PortQry's table" 10 has "$TMP/pq" "^$bpid +TCP 7002 +127\.0\.0\.1 +LISTENING +0\.0\.0\.0:0$"
check_grep "-wpid: header says what is watched" "$TMP/pq" "^Watching PID: $bpid \(python3\)$"
check_grep "-wt 1: header gives the interval" "$TMP/pq" "^Checking for changes every 1 seconds$"
act b exit
wait_for 10 sh -c "! kill -0 $pq 2>/dev/null"
wait $pq; rc=$?
check_eq "-wpid: ends with status 0 when the process exits" "$rc" 0
check_grep "-wpid: says why it stopped" "$TMP/pq" "^stopped watching process $bpid \\(the process exited\\)$"
"$PORTSCOPE" watch --pid "$apid" --interval 0.2 >"$TMP/gone" 2>&1
check_eq "a pid that is gone: status 2" "$?" 2
check_eq "a pid that is gone: one line" "$(cat "$TMP/gone")" "portscope: no process with pid $apid"
