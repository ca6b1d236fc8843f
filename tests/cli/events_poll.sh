# portscope events --poll: the snapshot backend gives the same kind of
# events (a new listener, its close) with the owner, but only what lives
# across a poll.
. "$(dirname "$0")/lib.sh"
need_root "events_poll runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/ev_lib.sh"

work early hold 7900
epid=$(val early pid)
ev_start "$TMP/ev" '"event":"existing".*"local_port":7900' --poll --interval 0.1
work late hold 7901
lpid=$(val late pid)
wait_for 10 count_at_least 1 "$TMP/ev" "o['event'] == 'listen' and o['local_port'] == 7901"
kill "$WORK_PID"
wait_for 10 count_at_least 1 "$TMP/ev" "o['event'] == 'close' and o['local_port'] == 7901"
ev_stop
check_eq "a listener there first: 'existing' with its pid" \
	"$(jcount "$TMP/ev" "o['event'] == 'existing' and o['local_port'] == 7900 and o['pid'] == $epid")" 1
check_eq "a new listener: 'listen' with its pid" \
	"$(jcount "$TMP/ev" "o['event'] == 'listen' and o['local_port'] == 7901 and o['pid'] == $lpid and o['state'] == 'LISTEN'")" 1
check_eq "its end: 'close', was LISTEN" \
	"$(jcount "$TMP/ev" "o['event'] == 'close' and o['local_port'] == 7901 and o['old_state'] == 'LISTEN'")" 1
check_eq "--poll asked for: nothing on stderr" "$(cat "$TMP/ev.err")" ""
