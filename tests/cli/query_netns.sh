#!/usr/bin/env bash
# portscope query across a veth pair: a client namespace and a target
# namespace, both created here.  In the target, nftables drops some ports
# (FILTERED by silence), rejects some with ICMP admin-prohibited or
# host-unreachable, leaves others closed; a TCP listener and a UDP echo
# answer, and dnsmasq serves DNS for the DNS probe.  IPv4 and IPv6.
# The target keeps the kernel's default ICMP rate limit, which the UDP
# pacing check relies on.
. "$(dirname "$0")/lib.sh"
need_root "network namespaces and nftables"
C=psq$$c T=psq$$t
ip netns add "$C" && on_exit ip netns del "$C" &&
ip netns add "$T" && on_exit ip netns del "$T" &&
ip link add "psq$$a" netns "$C" type veth peer name "psq$$b" netns "$T" || {
	notok "cannot create namespaces and veth pair"; exit 0; }
ip -n "$C" link set lo up; ip -n "$T" link set lo up
ip -n "$C" addr add 10.231.0.1/24 dev "psq$$a"
ip -n "$T" addr add 10.231.0.2/24 dev "psq$$b"
ip -n "$C" addr add fd31:231::1/64 dev "psq$$a" nodad
ip -n "$T" addr add fd31:231::2/64 dev "psq$$b" nodad
ip -n "$C" link set "psq$$a" up; ip -n "$T" link set "psq$$b" up
ip netns exec "$T" nft -f - <<'NFT' || { notok "nftables rules"; exit 0; }
table inet psq {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 81 drop
		udp dport 5001 drop
		udp dport 7000-7007 drop
		tcp dport 82 reject with icmpx type admin-prohibited
		udp dport 5002 reject with icmpx type admin-prohibited
		tcp dport 84 reject with icmpx type host-unreachable
	}
}
NFT
srv="$(dirname "$0")/query_servers.py"
spawn ip netns exec "$T" python3 "$srv" 10.231.0.2 tcp:80 udp:5000 >"$TMP/s4"
spawn ip netns exec "$T" python3 "$srv" fd31:231::2 tcp:80 udp:5000 >"$TMP/s6"
spawn ip netns exec "$T" dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts \
	--pid-file= --bind-interfaces --listen-address=10.231.0.2 \
	--listen-address=fd31:231::2 --port=53 --log-facility=- 2>"$TMP/dnsmasq.log"
wait_for 5 test -s "$TMP/s4" && wait_for 5 test -s "$TMP/s6" &&
	wait_for 5 grep -q 'started' "$TMP/dnsmasq.log" || { notok "target services did not start"; exit 0; }
q() { ip netns exec "$C" "$PORTSCOPE" "$@"; }

check_eq "the target keeps the kernel's ICMP rate limit (1000 ms)" \
	"$(ip netns exec "$T" sysctl -n net.ipv4.icmp_ratelimit)" 1000

# First, while the target's ICMP budget for us is whole (6): 4 closed ports
# answer at once; 8 dropped ones stay silent and, since they spend no ICMP
# token, each gets its one paced retry (3 tries, then 1), in batches (the
# batch sizes are unit-tested with a fake clock: test_query_engine).
s0=$(date +%s)
q query -nr --json -p udp -r 7000:7011 10.231.0.2 >"$TMP/j"
s=$(( $(date +%s) - s0 ))
check_eq "udp pacing: 4 closed ports NOT LISTENING at the first try, 8 dropped LISTENING or FILTERED after 3 tries and one paced" \
	"$(jq -r '"\(.port) \(.verdict) \(.tries)"' "$TMP/j")" \
	"7000 LISTENING or FILTERED 4
7001 LISTENING or FILTERED 4
7002 LISTENING or FILTERED 4
7003 LISTENING or FILTERED 4
7004 LISTENING or FILTERED 4
7005 LISTENING or FILTERED 4
7006 LISTENING or FILTERED 4
7007 LISTENING or FILTERED 4
7008 NOT LISTENING 1
7009 NOT LISTENING 1
7010 NOT LISTENING 1
7011 NOT LISTENING 1"
check "udp pacing: dropped ports done within 20 s (took $s s)" [ "$s" -lt 20 ]

for A in 10.231.0.2 fd31:231::2; do
	case $A in *:*) v=ipv6 i=icmp6 hu=addr-unreachable ;; *) v=ipv4 i=icmp hu=host-unreachable ;; esac
	q query -nr --reason -o 80,81,82,83,84 "$A" >"$TMP/o"
	check_eq "$v tcp: listening, dropped, admin-prohibited, closed, host-unreachable" \
		"$(grep '^TCP port' "$TMP/o")" \
		"TCP port 80 (http service): LISTENING (reason: syn-ack)
TCP port 81 (unknown service): FILTERED (reason: no response after 3 tries)
TCP port 82 (unknown service): FILTERED (reason: $i admin-prohibited)
TCP port 83 (unknown service): NOT LISTENING (reason: reset)
TCP port 84 (unknown service): FILTERED (reason: $i $hu)"
	q query -nr --reason -p udp -o 53,5000,5001,5002,5003 "$A" >"$TMP/o"
	check_eq "$v udp: dns, echo, dropped, admin-prohibited, closed" \
		"$(grep '^UDP port' "$TMP/o")" \
		"UDP port 53 (domain service): LISTENING (reason: dns reply)
UDP port 5000 (unknown service): LISTENING (reason: udp reply)
UDP port 5001 (unknown service): LISTENING or FILTERED (reason: no response after 4 tries)
UDP port 5002 (unknown service): FILTERED (reason: $i admin-prohibited)
UDP port 5003 (unknown service): NOT LISTENING (reason: $i port-unreachable)"
	check_grep "$v dns probe prints the response code" "$TMP/o" '^  DNS reply: NOERROR, 1 answer, authoritative$'
	check_grep "$v dns probe prints the answer" "$TMP/o" '^    version\.bind TXT "dnsmasq-[0-9.]+"$'
	q -n "$A" -p udp -e 53 --json >"$TMP/j"
	check_eq "$v dns json: verdict, reason, tries, rcode" \
		"$(jq -r '[.verdict, .reason, .tries, .probe.dns.rcode, .probe.dns.answers[0].name] | join(" ")' "$TMP/j")" \
		"LISTENING dns reply 2 NOERROR version.bind"
	# -q exit codes across the veth (the silent ones, 3 s each, on IPv4 only)
	cases=("tcp 80 0" "tcp 83 1" "tcp 82 2" "udp 53 0" "udp 5003 1" "udp 5002 2")
	[ $v = ipv4 ] && cases+=("tcp 81 2" "udp 5001 2")
	for pe in "${cases[@]}"; do
		set -- $pe
		q -n "$A" -p "$1" -e "$2" -q >"$TMP/o"; rc=$?
		check_eq "$v -q $1 $2 exits $3" "$rc" "$3"
	done
	q query -nr -p both -o 5000,80 --json "$A" >"$TMP/j"
	check_eq "$v -p both -o: order given, tcp before udp" \
		"$(jq -r '.proto + " " + (.port|tostring) + " " + .verdict' "$TMP/j")" \
		"tcp 5000 NOT LISTENING
udp 5000 LISTENING
tcp 80 LISTENING
udp 80 NOT LISTENING"
	q query -nr -r 79:85 "$A" >"$TMP/o"
	check_eq "$v -r 79:85: every port in order, whole verdict lines" \
		"$(grep '^TCP port' "$TMP/o")" \
		"TCP port 79 (finger service): NOT LISTENING
TCP port 80 (http service): LISTENING
TCP port 81 (unknown service): FILTERED
TCP port 82 (unknown service): FILTERED
TCP port 83 (unknown service): NOT LISTENING
TCP port 84 (unknown service): FILTERED
TCP port 85 (unknown service): NOT LISTENING"
done

# The target sends at most about one ICMP error a second to us after a
# burst of 6: closed UDP ports that stay silent for lack of ICMP budget
# must be retried at the target's pace, not reported early.
q query -nr --json -p udp -r 6000:6011 10.231.0.2 >"$TMP/j"
check_eq "udp pacing: 12 closed ports behind the ICMP rate limit all NOT LISTENING" \
	"$(jq -r .verdict "$TMP/j" | sort | uniq -c | sed 's/^ *//')" "12 NOT LISTENING"
# the limit was hit: at most 6 were answered at the first try, the others
# only when retried (paced)
check "udp pacing: the rate limit was hit (answered at the first try: $(jq -r 'select(.tries == 1) | .port' "$TMP/j" | wc -l) of 12)" \
	[ "$(jq -r 'select(.tries == 1) | .port' "$TMP/j" | wc -l)" -le 6 ]

# -sl doubles UDP waits (the doubling is unit-tested with a fake clock:
# test_query_engine); here: the same verdict and tries, in reasonable time.
s0=$(date +%s)
q query -nr --json -p udp -e 5001 -sl 10.231.0.2 >"$TMP/j"
s=$(( $(date +%s) - s0 ))
check_eq "-sl: a silent port is still LISTENING or FILTERED after 3 tries" \
	"$(jq -r '"\(.verdict) \(.tries)"' "$TMP/j")" "LISTENING or FILTERED 3"
check "-sl: done within 30 s (took $s s)" [ "$s" -lt 30 ]

# -sp: the target sees our chosen source port
spawn ip netns exec "$T" python3 -c '
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.231.0.2", 8080)); s.listen(); print("ready", flush=True)
c, peer = s.accept(); print(peer[1], flush=True)' >"$TMP/peer"
wait_for 5 grep -q ready "$TMP/peer"
q -n 10.231.0.2 -sp 40123 -e 8080 -q; rc=$?
wait_for 5 test "$(wc -l <"$TMP/peer")" -ge 2
check_eq "-sp 40123: LISTENING" "$rc" 0
check_eq "-sp 40123: the target saw source port 40123" "$(sed -n 2p "$TMP/peer")" 40123
