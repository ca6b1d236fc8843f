# watch uses the event engine: a connection that lives about a millisecond,
# between two checks a minute apart, still shows (NEW and GONE, with its
# process) in the same lines, JSON and PortQry form as before; --poll does
# not see it; a pid watch shows what its children connect.
. "$(dirname "$0")/lib.sh"
need_root "events_watch runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/ev_lib.sh"
. "$(dirname "$0")/helpers/watch_lib.sh"
ev_guard

work srv serve 7100
spid=$(val srv pid)
spawn "$PORTSCOPE" watch --port 7100 --interval 60 --json >"$TMP/j" 2>"$TMP/j.err"
wj=$SPAWNED
spawn "$PORTSCOPE" watch --port 7100 --interval 60 --json --poll >"$TMP/p" 2>"$TMP/p.err"
wp=$SPAWNED
spawn "$PORTSCOPE" -wport 7100 -wt 60 >"$TMP/q" 2>"$TMP/q.err"
wq=$SPAWNED
check_wait "json: the first check lists the listener" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o.get('initial') and o['state'] == 'LISTEN'"
check_wait "--poll: the same" 10 jhas "$TMP/p" \
	"o['event'] == 'new' and o.get('initial') and o['state'] == 'LISTEN'"
check_wait "-wport: the first table (PortQry's layout)" 10 has "$TMP/q" "^[0-9]+ +TCP 7100 +127\.0\.0\.1 +LISTENING +0\.0\.0\.0:0$"
# the event programs are attached after the first check
check "json: the event engine is attached" wait_for 20 ev_attached "$wj"
check "-wport: so is its" wait_for 20 ev_attached "$wq"
sleep 0.3	# and the watch has read its start-up snapshot

# three connections of about 1 ms, well inside the 60 s between checks
work c conns 3 7100 1
cpid=$(val c pid)
godone c
ports=$(val c ports)
for p in ${ports//,/ }; do
	check_wait "json: the 1 ms connection from port $p is NEW with the client's pid" 10 jhas "$TMP/j" \
		"o['event'] == 'new' and o['local_port'] == $p and o['remote_port'] == 7100 and o['owners'] and o['owners'][0]['pid'] == $cpid"
	# (whichever side closes first lingers in TIME_WAIT, owned by nobody)
	check_wait "json: ... and GONE, or in TIME_WAIT" 10 jhas "$TMP/j" \
		"o['local_port'] == $p and o['remote_port'] == 7100 and (o['event'] == 'gone' or (o['event'] == 'state' and o['state'] == 'TIME_WAIT'))"
	check_wait "-wport: its NEW line with the client's pid" 10 has "$TMP/q" \
		"  NEW +TCP +127\.0\.0\.1:$p +127\.0\.0\.1:7100 +[A-Z_]+ +pid $cpid python3"
	jhas "$TMP/j" "o['event'] == 'new' and o['local_port'] == $p and o['owners'] and o['owners'][0]['pid'] == $cpid" ||
		grep -E "\b$p\b" "$TMP/j" "$TMP/q" | cut -c1-400 | sed 's/^/#   /'
done
check_eq "json: the events come as a check, not as an initial listing" \
	"$(jcount "$TMP/j" "o.get('initial') and o['local_port'] != 7100")" 0
check_eq "--poll, 60 s between checks: none of them is seen" \
	"$(jcount "$TMP/p" "not o.get('initial')")" 0

# a UDP datagram to the port: its socket NEW and GONE, with the sender
python3 -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.sendto(b"x",("127.0.0.1",7100)); print(s.getsockname()[1])' >"$TMP/u"
up=$(cat "$TMP/u")
check_wait "json: a UDP socket that sent one datagram is NEW" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o['proto'] == 'udp' and o['local_port'] == $up and o['owners'][0]['fd'] is None"
check_wait "json: ... and GONE" 10 jhas "$TMP/j" \
	"o['event'] == 'gone' and o['proto'] == 'udp' and o['local_port'] == $up"
kill "$wj" "$wp" "$wq"
wait "$wj" "$wp" "$wq" 2>/dev/null
check_eq "no warnings" "$(cat "$TMP/j.err" "$TMP/p.err" "$TMP/q.err")" ""

# a pid watch: the connections its children make
work fam family 7100 3
fpid=$(val fam parent)
spawn "$PORTSCOPE" watch --pid "$fpid" --interval 60 --json >"$TMP/f" 2>"$TMP/f.err"
wf=$SPAWNED
check_wait "pid watch: the first check lists the process's listener" 10 jhas "$TMP/f" \
	"o['event'] == 'new' and o.get('initial') and o['state'] == 'LISTEN'"
check "pid watch: the event engine is attached" wait_for 20 ev_attached "$wf"
sleep 0.3
godone fam
for k in $(val fam children | tr , ' '); do
	check_wait "pid watch: child $k's connection is NEW with its pid" 10 jhas "$TMP/f" \
		"o['event'] == 'new' and o['remote_port'] == 7100 and o['owners'][0]['pid'] == $k"
done
kill "$wf"; wait "$wf" 2>/dev/null
check_eq "pid watch: no warnings" "$(cat "$TMP/f.err")" ""
