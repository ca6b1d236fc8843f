#!/usr/bin/env bash
# ISAKMP/IKE probe against strongSwan's charon (no connection configured:
# it answers IKE_SA_INIT with NO_PROPOSAL_CHOSEN).
. "$(dirname "$0")/probe_lib.bash"
CHARON=/usr/lib/ipsec/charon
need_cmd "$CHARON"
ns_veth 10.50.0.1/24
cat >"$TMP/strongswan.conf" <<CONF
charon {
	port = 500
	port_nat_t = 4500
	install_routes = no
	install_virtual_ip = no
	plugins {
		include /etc/strongswan.d/charon/*.conf
	}
}
CONF
# charon keeps its pid file and control socket in /run: give it a /run of
# its own (a private mount namespace) so that no other charon is disturbed
STRONGSWAN_CONF=$TMP/strongswan.conf ns_spawn unshare -m --propagation private \
    sh -c 'mount -t tmpfs portscope-run /run && exec "$0"' "$CHARON" \
    >"$TMP/charon.out" 2>&1
wait_for 10 listening u 500 || { notok "charon did not start"; sed "s/^/#   /" "$TMP/charon.out"; }
query -p udp -e 500 --reason 127.0.0.1 >"$TMP/out" 2>&1
check_grep "ike: verdict" "$TMP/out" '^UDP port 500 \(isakmp service\): LISTENING \(reason: ikev2 reply\)$'
check_grep "ike: IKEv2 response" "$TMP/out" '^IKEv2 IKE_SA_INIT response from the responder$'
check_grep "ike: notify" "$TMP/out" '^notify: NO_PROPOSAL_CHOSEN \(14\)$'
query -p udp -e 500 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "ike: json notify" "$(json_get "$TMP/json" '.probe.ike.notify[0]')" "NO_PROPOSAL_CHOSEN"
check_eq "ike: json version" "$(json_get "$TMP/json" .probe.ike.version)" "2"
