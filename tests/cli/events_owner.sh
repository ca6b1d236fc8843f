# portscope events credits each event to the right process: a pre-fork
# server's connections to the child that accepted them (and before accept
# to the listener's owner), a descriptor passed over SCM_RIGHTS to its
# receiver, a socket older than portscope to its owner from the snapshot,
# connected UDP, IPv6, a process that execs (its comm changes), and
# --pid takes the process's children too.
. "$(dirname "$0")/lib.sh"
need_root "events_owner runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/ev_lib.sh"
ev_guard

# a listener older than portscope, and a pre-fork server
work early hold 7400
epid=$(val early pid)
work pre prefork 7200 4
ppid=$(val pre parent)
kids=$(val pre children)
work v6srv serve 7600 6
v6spid=$(val v6srv pid)
work scm scm 7300
work uc udpconn 7500
work ex exec 7700
work c4 conns 40 7200 5
work c6 conns 20 7600 1 6

ev_start "$TMP/ev" '"event":"existing".*"local_port":7400'
check_grep "a listener older than portscope: 'existing' with its owner from the snapshot" "$TMP/ev" \
	"\"event\":\"existing\".*\"local_port\":7400,.*\"state\":\"LISTEN\",.*\"pid\":$epid,.*\"owner_from_snapshot\":true"

# pre-fork: 40 connections of 5 ms, each to whichever child accepts first
godone c4
wait_for 20 count_at_least 40 "$TMP/ev" "o['event'] == 'close' and o['local_port'] == 7200"
check_eq "pre-fork: the children accepted all 40 connections" \
	"$(grep -c '^accepted ' "$TMP/pre.out")" 40
ok_acc=0
while read -r _ kid peer; do
	n=$(jcount "$TMP/ev" "o['event'] == 'accept' and o['local_port'] == 7200 and o['remote_port'] == $peer and o['pid'] == $kid")
	[ "$n" -eq 1 ] && ok_acc=$((ok_acc + 1))
done < <(grep '^accepted ' "$TMP/pre.out")
check_eq "pre-fork: each accept is credited to the child that accepted it" "$ok_acc" 40
check_eq "pre-fork: so is each server-side close" \
	"$(jcount "$TMP/ev" "o['event'] == 'close' and o['local_port'] == 7200 and o['pid'] in ($kids)")" 40
check_eq "pre-fork: no accept or close is credited to the parent that listens" \
	"$(jcount "$TMP/ev" "o['event'] in ('accept', 'close') and o['local_port'] == 7200 and o['remote_port'] != 0 and o['pid'] == $ppid")" 0
check_eq "pre-fork: before accept, the handshake is the listener's owner's" \
	"$(jcount "$TMP/ev" "o['event'] == 'state' and o['local_port'] == 7200 and o['old_state'] == 'SYN_RECV' and o['pid'] == $ppid")" 40

# a listener older than portscope gets a connection it never accepts
python3 -c 'import socket,time; s=socket.create_connection(("127.0.0.1",7400)); time.sleep(0.05)'
wait_for 10 count_at_least 1 "$TMP/ev" "o['event'] == 'state' and o['local_port'] == 7400 and o['state'] == 'ESTABLISHED'"
check_eq "old listener: its new connection is credited to its owner" \
	"$(jcount "$TMP/ev" "o['event'] == 'state' and o['local_port'] == 7400 and o['state'] == 'ESTABLISHED' and o['pid'] == $epid")" 1

# SCM_RIGHTS: the parent binds a UDP socket, the child it passes it to sends
godone scm
cpid=$(val scm child)
lport=$(val scm lport)
wait_for 10 count_at_least 1 "$TMP/ev" "o['event'] == 'udp_flow' and o['remote_port'] == 7300"
check_eq "SCM_RIGHTS: the datagram is credited to the receiving child" \
	"$(jcount "$TMP/ev" "o['event'] == 'udp_flow' and o['remote_port'] == 7300 and o['local_port'] == $lport and o['pid'] == $cpid")" 1
check_eq "SCM_RIGHTS: before, the socket was the parent's ('existing')" \
	"$(jcount "$TMP/ev" "o['event'] == 'existing' and o['local_port'] == $lport and o['pid'] == $(val scm parent)")" 1

# connected UDP: connect() picks the port, send() uses it
godone uc
upid=$(val uc pid)
lport=$(val uc lport)
wait_for 10 count_at_least 1 "$TMP/ev" "o['event'] == 'close' and o['proto'] == 'udp' and o['local_port'] == $lport"
check_eq "connected UDP: 'connect' with the pid and both ends" \
	"$(jcount "$TMP/ev" "o['event'] == 'connect' and o['proto'] == 'udp' and o['local_port'] == $lport and o['remote_port'] == 7500 and o['pid'] == $upid and o['state'] == 'ESTABLISHED'")" 1
check_eq "connected UDP: the port connect() chose is an implicit bind" \
	"$(jcount "$TMP/ev" "o['event'] == 'bind' and o.get('implicit') and o['proto'] == 'udp' and o['local_port'] == $lport and o['pid'] == $upid")" 1
check_eq "connected UDP: close with the pid" \
	"$(jcount "$TMP/ev" "o['event'] == 'close' and o['proto'] == 'udp' and o['local_port'] == $lport and o['pid'] == $upid")" 1

# IPv6
godone c6
c6pid=$(val c6 pid)
wait_for 20 count_at_least 20 "$TMP/ev" "o['event'] == 'close' and o['family'] == 6 and o['remote_port'] == 7600"
check_eq "IPv6: 20 connects over ::1 with the client's pid" \
	"$(jcount "$TMP/ev" "o['event'] == 'connect' and o['family'] == 6 and o['remote_addr'] == '::1' and o['remote_port'] == 7600 and o['pid'] == $c6pid")" 20
check_eq "IPv6: 20 accepts with the server's pid" \
	"$(jcount "$TMP/ev" "o['event'] == 'accept' and o['family'] == 6 and o['local_port'] == 7600 and o['pid'] == $v6spid")" 20

# exec: the same process, a new name
godone ex
xpid=$(val ex pid)
lport=$(val ex lport)
wait_for 10 count_at_least 1 "$TMP/ev" "o['event'] == 'udp_flow' and o['remote_port'] == 7700"
check_eq "exec: the socket was bound under the old name ('existing')" \
	"$(jcount "$TMP/ev" "o['event'] == 'existing' and o['local_port'] == $lport and o['pid'] == $xpid and o['comm'] == 'ev_before'")" 1
check_eq "exec: the datagram after exec carries the new name, same pid" \
	"$(jcount "$TMP/ev" "o['event'] == 'udp_flow' and o['local_port'] == $lport and o['pid'] == $xpid and o['comm'] == 'python3'")" 1
ev_stop
check_eq "no events lost" "$(jcount "$TMP/ev" "o['event'] == 'lost'")" 0
check_eq "nothing on stderr" "$(cat "$TMP/ev.err")" ""

# --pid: the process and the children it forks after portscope started
work srv serve 7800
spid=$(val srv pid)
work fam family 7800 3
fpid=$(val fam parent)
ev_start "$TMP/fam" '"event":"existing"' --pid "$fpid"
godone fam
fkids=$(val fam children)
wait_for 10 count_at_least 3 "$TMP/fam" "o['event'] == 'connect'"
sleep 0.5
ev_stop
check_eq "--pid: the process's own listener is there" \
	"$(jcount "$TMP/fam" "o['event'] == 'existing' and o['pid'] == $fpid")" 1
check_eq "--pid: the connects of its 3 children, each with its pid" \
	"$(jset "$TMP/fam" "o['event'] == 'connect' and o['remote_port'] == 7800" "o['pid']")" \
	"$(tr , '\n' <<<"$fkids" | sort -n | paste -sd,)"
check_eq "--pid: nothing of other processes (the server's accepts)" \
	"$(jcount "$TMP/fam" "o.get('pid') not in ($fpid, $fkids)")" 0
