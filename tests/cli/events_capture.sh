# portscope events sees every short connection and every UDP flow: a client
# making 1,000 TCP connections of about 1 ms and another sending 1,000
# datagrams to 1,000 ports, each credited to its own pid; nothing lost.
. "$(dirname "$0")/lib.sh"
need_root "events_capture runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/ev_lib.sh"
ev_guard

N=1000
work srv serve 7100
spid=$(val srv pid)
work tcp conns $N 7100 1
tpid=$(val tcp pid)
work udp udp $N 21000
upid=$(val udp pid)
ev_start "$TMP/ev" '"event":"existing".*"local_port":7100'
check_grep "the listener that was there first is 'existing', with its pid" "$TMP/ev" \
	"\"event\":\"existing\".*\"local_port\":7100,.*\"state\":\"LISTEN\".*\"pid\":$spid,"
godone tcp
godone udp
ports=$(val tcp ports)
want_close="o['event'] == 'close' and o['pid'] == $tpid and o['remote_port'] == 7100"
wait_for 30 count_at_least $N "$TMP/ev" "$want_close"
wait_for 30 count_at_least $N "$TMP/ev" "o['event'] == 'udp_flow' and o['pid'] == $upid"
ev_stop

check_eq "the client made $N connections from $N ports" \
	"$(tr , '\n' <<<"$ports" | sort -u | wc -l)" $N
sorted=$(tr , '\n' <<<"$ports" | sort -n | paste -sd,)
check_eq "every connection is a 'connect' with the client's pid and its port" \
	"$(jset "$TMP/ev" "o['event'] == 'connect' and o['pid'] == $tpid and o['remote_port'] == 7100 and 'error' not in o" "o['local_port']")" "$sorted"
check_eq "... and a 'close' with the client's pid" \
	"$(jset "$TMP/ev" "$want_close" "o['local_port']")" "$sorted"
check_eq "... its port was chosen by the kernel: an implicit 'bind' each" \
	"$(jcount "$TMP/ev" "o['event'] == 'bind' and o.get('implicit') and o['pid'] == $tpid")" $N
check_eq "every accepted side is credited to the server's pid" \
	"$(jset "$TMP/ev" "o['event'] == 'accept' and o['pid'] == $spid" "o['remote_port']")" "$sorted"
check_eq "no TCP event is credited to another pid (or to none)" \
	"$(jcount "$TMP/ev" "o['proto'] == 'tcp' and o['event'] != 'existing' and o.get('pid') not in ($tpid, $spid)")" 0
check "closes carry a lifetime of at least the 1 ms the client held them" \
	test "$(jcount "$TMP/ev" "$want_close and o['lifetime_ns'] >= 1000000")" -eq $N
check_eq "$N UDP flows, one per destination port, with the sender's pid" \
	"$(jset "$TMP/ev" "o['event'] == 'udp_flow' and o['pid'] == $upid and o['count'] == 1" "o['remote_port']" | tr , '\n' | wc -l)" $N
check_eq "... to ports 21000-$((21000 + N - 1))" \
	"$(jset "$TMP/ev" "o['event'] == 'udp_flow' and o['pid'] == $upid" "o['remote_port']" | tr , '\n' | sed -n '1p;$p' | paste -sd-)" "21000-$((21000 + N - 1))"
check_eq "... from one socket whose port the first sendto chose (implicit bind)" \
	"$(jcount "$TMP/ev" "o['event'] == 'bind' and o.get('implicit') and o['pid'] == $upid and o['local_port'] == $(val udp lport)")" 1
check_eq "no events lost" "$(jcount "$TMP/ev" "o['event'] == 'lost'")" 0
check_eq "nothing on stderr" "$(cat "$TMP/ev.err")" ""
