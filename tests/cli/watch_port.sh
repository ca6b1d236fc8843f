# portscope watch --port: the sockets on a port now, then only what changes
# (new, state, owner, gone), as text and as JSON events, for TCP and UDP,
# IPv4 and IPv6, the port as local or remote port.  Real sockets on
# loopback, in a network namespace of the test's own.
. "$(dirname "$0")/lib.sh"
need_root "watch_port runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/helpers/watch_lib.sh"
P=4444

actor_start a
act a pid; apid=$ACT
act a tcp_listen L 127.0.0.1 $P 0
act a tcp_listen OTHER 127.0.0.1 5555 5

# the text watch looks every owner up at every check; the JSON one
# remembers owners between checks (the default): both must see the same
spawn "$PORTSCOPE" watch --port $P --interval 0.2 --no-cache >"$TMP/t" 2>"$TMP/t.err"
wtext=$SPAWNED
spawn "$PORTSCOPE" watch --port $P --interval 0.2 --json >"$TMP/j" 2>"$TMP/j.err"
wjson=$SPAWNED

# the first check: what is there now
check_wait "text: the first check lists the listener" 10 has "$TMP/t" \
	"^[0-9:.]+  NOW +TCP +127\.0\.0\.1:$P +\*:\* +LISTEN +pid $apid python3 \("
check_grep "text: the first check is dated and counted" "$TMP/t" \
	"^======== [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}: 1 socket now ========$"
check_wait "json: the first check is a 'new' event marked initial" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o.get('initial') is True and o['state'] == 'LISTEN' and o['local_port'] == $P and o['owners'][0]['pid'] == $apid"

# UDP on IPv6: a socket bound to the port appears
act a udp_bind U6 ::1 $P
check_wait "json: a UDP socket bound on [::1] is new" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o['proto'] == 'udp' and o['family'] == 6 and o['local_addr'] == '::1' and o['local_port'] == $P and o['state'] == 'UNCONN'"
check_wait "text: NEW UDP [::1]:$P UNCONN" 10 has "$TMP/t" \
	"  NEW +UDP +\[::1\]:$P +\*:\* +UNCONN +pid $apid "

# UDP with the port as remote port
act a udp_connect UC 127.0.0.1 $P; ucport=${ACT#UC }
check_wait "json: a UDP socket connected to the port is new (port as remote port)" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o['proto'] == 'udp' and o['local_port'] == $ucport and o['remote_port'] == $P and o['state'] == 'ESTABLISHED'"

# A connection through its states.  The listener's backlog is 0: the first
# client fills the accept queue, the second stays in SYN_SENT until the
# first is accepted and its SYN is sent again.
act a tcp_connect C1 127.0.0.1 $P
wait_for 10 jhas "$TMP/j" "o['event'] == 'new' and o['remote_port'] == $P and o['state'] == 'ESTABLISHED'"
act a tcp_connect C2 127.0.0.1 $P; c2=${ACT#C2 }
check_wait "json: a client stuck in SYN_SENT is new" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o['local_port'] == $c2 and o['remote_port'] == $P and o['state'] == 'SYN_SENT'"
act a accept S1 L
act a accept S2 L
check_wait "json: SYN_SENT -> ESTABLISHED is a 'state' event" 10 jhas "$TMP/j" \
	"o['event'] == 'state' and o['local_port'] == $c2 and o['old_state'] == 'SYN_SENT' and o['state'] == 'ESTABLISHED'"
check_wait "text: STATE SYN_SENT -> ESTABLISHED" 10 has "$TMP/t" \
	"  STATE +TCP +127\.0\.0\.1:$c2 +127\.0\.0\.1:$P +SYN_SENT -> ESTABLISHED +pid $apid "
act a close S2
check_wait "json: the peer closing gives ESTABLISHED -> CLOSE_WAIT" 10 jhas "$TMP/j" \
	"o['event'] == 'state' and o['local_port'] == $c2 and o['old_state'] == 'ESTABLISHED' and o['state'] == 'CLOSE_WAIT'"
check_wait "json: the server end closed by its process loses its owner" 10 jhas "$TMP/j" \
	"o['event'] == 'owner' and o['local_port'] == $P and o['remote_port'] == $c2 and o['owners_gone'] == [$apid] and o['owners'] == []"
check_wait "text: STATE ESTABLISHED -> CLOSE_WAIT" 10 has "$TMP/t" \
	"  STATE +TCP +127\.0\.0\.1:$c2 +127\.0\.0\.1:$P +ESTABLISHED -> CLOSE_WAIT "
act a close C2
# (a check may catch the closed socket in LAST_ACK, without an owner: then
# the owner's departure is an owner event before the socket is gone)
check_wait "json: the client socket is gone" 10 jhas "$TMP/j" \
	"o['event'] == 'gone' and o['local_port'] == $c2 and o['remote_port'] == $P and o['state'] in ('CLOSE_WAIT', 'LAST_ACK')"
check "json: ... and its owner with it" jhas "$TMP/j" \
	"o['local_port'] == $c2 and ((o['event'] == 'gone' and [w['pid'] for w in o['owners']] == [$apid]) or (o['event'] == 'owner' and o['owners_gone'] == [$apid]))"
check_wait "text: GONE with its last state" 10 has "$TMP/t" \
	"  GONE +TCP +127\.0\.0\.1:$c2 +127\.0\.0\.1:$P +was (CLOSE_WAIT|LAST_ACK) "
check_grep "text: ... and its owner with it" "$TMP/t" \
	"  (GONE +TCP +127\.0\.0\.1:$c2 +127\.0\.0\.1:$P +was CLOSE_WAIT +was held by pid $apid |OWNER +TCP +127\.0\.0\.1:$c2 +127\.0\.0\.1:$P +LAST_ACK +-pid $apid )"

# Owners: a child inherits every socket, then exits.
act a fork; child=$ACT
check_wait "json: an owner event names the new owner" 10 jhas "$TMP/j" \
	"o['event'] == 'owner' and o['state'] == 'LISTEN' and o['owners_added'] == [$child] and o['owners_gone'] == [] and [w['pid'] for w in o['owners']] == sorted([$apid, $child])"
jhas "$TMP/j" "o['event'] == 'owner' and o['state'] == 'LISTEN' and o['owners_added'] == [$child] and o['owners_gone'] == [] and [w['pid'] for w in o['owners']] == sorted([$apid, $child])" ||
	grep -E "\"owners_added\":\[[0-9,]*$child" "$TMP/j" | sed 's/^/# seen instead: /'
check_wait "text: OWNER +pid CHILD" 10 has "$TMP/t" \
	"  OWNER +TCP +127\.0\.0\.1:$P +\*:\* +LISTEN +\+pid $child python3 \("
act a child_exit
check_wait "json: the owner that exited is gone from the listener" 10 jhas "$TMP/j" \
	"o['event'] == 'owner' and o['state'] == 'LISTEN' and o['owners_gone'] == [$child] and o['owners_added'] == []"
check_wait "text: OWNER -pid CHILD" 10 has "$TMP/t" \
	"  OWNER +TCP +127\.0\.0\.1:$P +\*:\* +LISTEN +-pid $child python3 \("

# A process that owned nothing on the port connects to it: its owner is
# found although it was never seen on this port.
actor_start b
act b pid; bpid=$ACT
act b tcp_connect BC 127.0.0.1 $P; bc=${ACT#BC }
check_wait "json: a connection from a process not seen before has its owner" 10 jhas "$TMP/j" \
	"o['event'] in ('new', 'owner') and o['local_port'] == $bc and [w['pid'] for w in o['owners']] == [$bpid]"
check_wait "text: the same" 10 has "$TMP/t" \
	"  NEW +TCP +127\.0\.0\.1:$bc +127\.0\.0\.1:$P +ESTABLISHED +pid $bpid python3"
# The listener moves to another descriptor number in the same process:
# no owner changed, nothing to report.
# (barrier: a later change, once both watches print it, proves that the
# checks after the dup have been made)
act a dup L
act a udp_bind B1 127.0.0.1 $P
check_wait "json: barrier: a later socket is seen" 10 jhas "$TMP/j" \
	"o['event'] == 'new' and o['proto'] == 'udp' and o['local_addr'] == '127.0.0.1' and o['local_port'] == $P"
check_wait "text: barrier: the same" 10 has "$TMP/t" "  NEW +UDP +127\.0\.0\.1:$P "
check "json: a socket moved to another fd of its process is not an owner change" \
	jnone "$TMP/j" "o['event'] == 'owner' and o['state'] == 'LISTEN' and o['owners_gone'] == [$apid]"
check_nogrep "text: the same" "$TMP/t" "OWNER +TCP +127\.0\.0\.1:$P +\*:\* +LISTEN +-pid $apid "

# Nothing changes: nothing is printed.  After a while without change, one
# change (the barrier socket closed): that change alone is printed.
n1=$(wc -l <"$TMP/t"); j1=$(wc -l <"$TMP/j")
sleep 0.7	# some checks without a change
act a close B1
check_wait "json: barrier: the socket closed is gone" 10 jhas "$TMP/j" \
	"o['event'] == 'gone' and o['proto'] == 'udp' and o['local_addr'] == '127.0.0.1' and o['local_port'] == $P"
check_wait "text: barrier: the same" 10 has "$TMP/t" "  GONE +UDP +127\.0\.0\.1:$P "
# (a check's lines are written in one piece: the barrier's line came with
# everything else that check printed)
n2=$(wc -l <"$TMP/t"); j2=$(wc -l <"$TMP/j")
check_eq "text: checks without a change print nothing (only the section of the one change)" \
	"$((n2 - n1))" 2
check_eq "json: checks without a change print nothing (only the one event)" "$((j2 - j1))" 1
check_nogrep "another port never shows" "$TMP/t" ":5555 "
# a change section is dated and counted
check_grep "text: each change section is dated" "$TMP/t" \
	"^======== [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}: [0-9]+ changes? ========$"

# every JSON line is an object with ts, event and the socket fields of local --json
python3 - "$TMP/j" >"$TMP/jcheck" <<'PY'
import json, re, sys
keys = ["ts", "event", "proto", "family", "local_addr", "local_port", "remote_addr",
        "remote_port", "state", "recv_q", "send_q", "inode", "uid", "owners"]
bad = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if list(o)[:len(keys)] != keys or o["event"] not in ("new", "state", "gone", "owner") \
       or not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", o["ts"]):
        bad += 1
        print("#", line.strip())
print(bad)
PY
check_eq "json: every event has ts, event, then the fields of local --json" "$(tail -n 1 "$TMP/jcheck")" 0

# Ctrl-C stops both with status 0
kill -INT $wtext $wjson
wait $wtext; rc1=$?
wait $wjson; rc2=$?
check_eq "SIGINT: text watch exits 0" "$rc1" 0
check_eq "SIGINT: json watch exits 0" "$rc2" 0
check_grep "text: the last line says why it stopped" <(tail -n 2 "$TMP/t") "watch stopped \(Ctrl-C\)"
check_eq "no warnings" "$(warnings "$TMP/t.err" "$TMP/j.err")" ""
act a exit
act b exit
if [ -n "${KEEP:-}" ]; then cp "$TMP/t" "$TMP/j" "$KEEP"; fi	# to look at the output
