#!/usr/bin/env bash
# Every probe conversation has a deadline (5 s): a server that sends one
# byte every 20 ms without a line end holds `query -e 25` no longer, and
# four such servers (one byte every 0.2 s) on the banner ports end
# together.  In a namespace of its own, so that ports 21-143 are ours.
. "$(dirname "$0")/lib.sh"
need_root "a network namespace"
N=psqd$$
ip netns add "$N" && on_exit ip netns del "$N" || { notok "cannot create namespace"; exit 0; }
ip -n "$N" link set lo up
drip="$(dirname "$0")/helpers/drip_server.py"
spawn ip netns exec "$N" python3 "$drip" 127.0.0.1 0.02 25 >"$TMP/d1"
spawn ip netns exec "$N" python3 "$drip" 127.0.0.1 0.2 21 110 143 >"$TMP/d2"
wait_for 5 grep -q ready "$TMP/d1" && wait_for 5 grep -q ready "$TMP/d2" ||
	{ notok "drip servers did not start"; exit 0; }

s0=$(date +%s)
ip netns exec "$N" "$PORTSCOPE" query -nr --reason -e 25 127.0.0.1 >"$TMP/o"; rc=$?
s=$(( $(date +%s) - s0 ))
check_eq "drip every 20 ms on 25: exit 0" "$rc" 0
check_grep "drip on 25: LISTENING, cut by the deadline" "$TMP/o" \
	'^TCP port 25 \(smtp service\): LISTENING \(reason: probe deadline reached\)$'
check "drip on 25: ended within 15 s (took $s s)" [ "$s" -lt 15 ]

s0=$(date +%s)
ip netns exec "$N" "$PORTSCOPE" query -nr --reason -o 21,25,110,143 127.0.0.1 >"$TMP/o"; rc=$?
s=$(( $(date +%s) - s0 ))
check_eq "drip on 21,25,110,143: every port cut by the deadline" \
	"$(grep -c ': LISTENING (reason: probe deadline reached)$' "$TMP/o")" 4
check "drip on 21,25,110,143: ended within 15 s (took $s s)" [ "$s" -lt 15 ]

# DCE/RPC: an endpoint mapper whose list never ends, each batch after
# 0.5 s: without a deadline, 200 lookups (100 s); with it, the probe ends
# with the endpoints it got.
spawn ip netns exec "$N" python3 "$(dirname "$0")/helpers/rpc_endless.py" 127.0.0.1 135 0.5 \
	"${PORTSCOPE_TOP:-$(dirname "$0")/../..}/tests/fuzz/corpus/fuzz_rpc" >"$TMP/r"
wait_for 5 grep -q ready "$TMP/r" || { notok "endless endpoint mapper did not start"; exit 0; }
s0=$(date +%s)
ip netns exec "$N" "$PORTSCOPE" query -nr --reason -e 135 127.0.0.1 >"$TMP/o"; rc=$?
s=$(( $(date +%s) - s0 ))
check_eq "endless rpc: exit 0" "$rc" 0
check_grep "endless rpc: LISTENING, cut by the deadline" "$TMP/o" \
	'^TCP port 135 \(epmap service\): LISTENING \(reason: probe deadline reached\)$'
check_grep "endless rpc: the endpoints it got are shown" "$TMP/o" '^UUID: '
check "endless rpc: ended within 15 s (took $s s)" [ "$s" -lt 15 ]
wait_for 5 grep -q '^lookups' "$TMP/r"
n=$(sed -n 's/^lookups //p' "$TMP/r")
check "endless rpc: the server saw several lookups, far fewer than 200 ($n)" \
	[ "${n:-0}" -ge 2 ] && [ "${n:-0}" -lt 20 ]
