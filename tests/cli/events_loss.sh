# Loss is never silent: with a 4 KiB ring buffer (the test hook
# PORTSCOPE_TEST_RINGBUF_BYTES) and portscope events stopped (SIGSTOP)
# while a client makes 2,000 short TCP connections, the kernel cannot queue
# most records; once continued, portscope says so as {"event":"lost"} lines
# and on stderr, and what it delivered plus what it says it lost accounts
# for every connection.  The control: the default ring, not stopped, the
# same burst: every connection delivered, no lost line.
. "$(dirname "$0")/lib.sh"
need_root "events_loss runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/ev_lib.sh"
ev_guard

N=2000
work srv serve 7100

# An invalid ring size is ignored with one warning line.
for bad in 5000 100 abc; do
	PORTSCOPE_TEST_RINGBUF_BYTES=$bad "$PORTSCOPE" events --duration 0.01 \
		>/dev/null 2>"$TMP/bad.err"
	check_eq "PORTSCOPE_TEST_RINGBUF_BYTES=$bad: one warning line, then it runs" \
		"$(grep -c "PORTSCOPE_TEST_RINGBUF_BYTES ignored: '$bad'" "$TMP/bad.err"),$(wc -l <"$TMP/bad.err")" "1,1"
done

# run NAME STOP: one burst of N connections watched by events (already
# started as $EV_PID); with STOP=1 events is stopped during the burst.
run() {
	local name=$1 stop=$2
	work "$name" conns $N 7100 0
	[ "$stop" = 1 ] && kill -STOP "$EV_PID"
	godone "$name"
	[ "$stop" = 1 ] && kill -CONT "$EV_PID"
	check_eq "$name: the client made $N connections" \
		"$(val "$name" ports | tr , '\n' | grep -c .)" $N
}
want_conn() { echo "o['event'] == 'connect' and o['pid'] == $(val "$1" pid) and o['remote_port'] == 7100 and 'error' not in o"; }
lost_sum() { python3 -c '
import json, sys
print(sum(o["count"] for o in map(json.loads, open(sys.argv[1])) if o["event"] == "lost"))' "$1"; }

# The small ring, stopped during the burst.
PORTSCOPE_TEST_RINGBUF_BYTES=4096 ev_start "$TMP/small" '"event":"existing".*"local_port":7100'
run small 1
wait_for 30 count_at_least 1 "$TMP/small" "o['event'] == 'lost'"
sleep 1		# the rest of what is queued, and any later loss check
ev_stop
lost=$(lost_sum "$TMP/small")
conns=$(jcount "$TMP/small" "$(want_conn small)")
echo "# small ring: $conns connects delivered, $lost events lost"
check "loss happened: a 'lost' line with a count > 0" \
	test "$(jcount "$TMP/small" "o['event'] == 'lost' and o['count'] > 0")" -ge 1
check "... and fewer than $N connects were delivered" test "$conns" -lt $N
check_grep "stderr says events were lost" "$TMP/small.err" \
	'^portscope: [0-9]+ events? lost: the ring buffer was full$'
check_eq "... and their counts add up to the lost lines'" \
	"$(sed -nE 's/^portscope: ([0-9]+) events? lost.*/\1/p' "$TMP/small.err" | awk '{s += $1} END {print s + 0}')" "$lost"
check "connects delivered ($conns) + lost ($lost) >= $N connections" \
	test $((conns + lost)) -ge $N
check_nogrep "no warning about the ring size" "$TMP/small.err" 'RINGBUF'

# The control: default ring, not stopped.
ev_start "$TMP/big" '"event":"existing".*"local_port":7100'
run big 0
wait_for 30 count_at_least $N "$TMP/big" "$(want_conn big)"
sleep 1
ev_stop
check_eq "control: all $N connects delivered" "$(jcount "$TMP/big" "$(want_conn big)")" $N
check_eq "control: no 'lost' line" "$(jcount "$TMP/big" "o['event'] == 'lost'")" 0
check_eq "control: nothing on stderr" "$(cat "$TMP/big.err")" ""
