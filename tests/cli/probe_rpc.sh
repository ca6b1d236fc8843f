#!/usr/bin/env bash
# RPC endpoint mapper dump against Samba's samba-dcerpcd (rpcd_epmapper)
# over TCP; over UDP (connectionless, which Samba does not serve) against
# the responder, which re-wraps Samba's recorded lookup stubs.
. "$(dirname "$0")/probe_lib.bash"
DCERPCD=/usr/libexec/samba/samba-dcerpcd
need_cmd "$DCERPCD"
mkdir -p "$TMP/samba"
cat >"$TMP/smb.conf" <<CONF
[global]
netbios name = PSTEST
workgroup = PSGROUP
interfaces = lo
bind interfaces only = yes
rpc start on demand helpers = no
pid directory = $TMP/samba
lock directory = $TMP/samba
state directory = $TMP/samba
cache directory = $TMP/samba
private dir = $TMP/samba
ncalrpc dir = $TMP/samba
log file = $TMP/samba/log.%m
CONF
ns_spawn "$DCERPCD" --libexec-rpcds -F --no-process-group -s "$TMP/smb.conf" \
    >"$TMP/dcerpcd.out" 2>&1
wait_for 20 listening t 135 || notok "samba-dcerpcd did not start"
# the workers register their endpoints a moment after port 135 opens
for i in $(seq 50); do
	query -p tcp -e 135 127.0.0.1 >"$TMP/out" 2>&1
	grep -q 'ncacn_ip_tcp:127.0.0.1\[' "$TMP/out" && break
	sleep 0.2
done
check_grep "rpc: verdict" "$TMP/out" '^TCP port 135 \(epmap service\): LISTENING$'
check_grep "rpc: interface lines" "$TMP/out" '^UUID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}( .+)?$'
check_grep "rpc: tcp binding" "$TMP/out" '^ncacn_ip_tcp:127\.0\.0\.1\[[0-9]+\]$'
check_grep "rpc: named pipe binding" "$TMP/out" '^ncacn_np:.*\[\\pipe\\[a-z]+\]$'
check_grep "rpc: winreg's annotation on its UUID line (PortQry's layout)" "$TMP/out" '^UUID: [0-9a-f-]{36} winreg$'
n=$(grep -c '^UUID: ' "$TMP/out")
check_grep "rpc: total matches the list" "$TMP/out" "^Total endpoints found: $n\$"
check "rpc: more than one ept_lookup batch (over 20 endpoints)" [ "$n" -gt 20 ]

query -p tcp -e 135 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "rpc: json total" "$(json_get "$TMP/json" .probe.rpc.total)" "$n"
check_eq "rpc: json endpoints" "$(json_get "$TMP/json" '.probe.rpc.endpoints | length')" "$n"
check_grep "rpc: json binding" "$TMP/json" '"binding":"ncacn_ip_tcp:127.0.0.1\[[0-9]+\]"'

ns_spawn python3 "$RESPONDER" rpcdg 127.0.0.1 135 "$TOP/tests/fuzz/corpus/fuzz_rpc" \
    >/dev/null 2>&1
wait_for 10 listening u 135 || notok "responder did not start"
query -p udp -e 135 --reason 127.0.0.1 >"$TMP/udp" 2>&1
check_grep "rpc udp: verdict" "$TMP/udp" '^UDP port 135 \(.*\): LISTENING \(reason: rpc endpoint mapper\)$'
check_grep "rpc udp: both batches" "$TMP/udp" '^Total endpoints found: 38$'
check_grep "rpc udp: tcp binding" "$TMP/udp" '^ncacn_ip_tcp:127\.0\.0\.1\[[0-9]+\]$'
