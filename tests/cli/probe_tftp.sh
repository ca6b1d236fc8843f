#!/usr/bin/env bash
# TFTP probe against a real in.tftpd (tftpd-hpa), which answers from a new
# port: a missing file gives the server's error, a served one its data.
. "$(dirname "$0")/probe_lib.bash"
need_cmd in.tftpd
ns_veth 10.69.0.1/24
mkdir -p "$TMP/tftp"
ns_spawn in.tftpd -L --address 127.0.0.1:69 -u root -s "$TMP/tftp" \
    -P "$TMP/tftpd.pid" >"$TMP/tftpd.out" 2>&1
wait_for 10 listening u 69 || notok "in.tftpd did not start"
query -p udp -e 69 --reason 127.0.0.1 >"$TMP/out" 2>&1
check_grep "tftp: verdict" "$TMP/out" '^UDP port 69 \(tftp service\): LISTENING \(reason: tftp error reply\)$'
check_grep "tftp: error printed" "$TMP/out" '^TFTP error 1 \(file not found\): File not found$'
query -p udp -e 69 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "tftp: json error code" "$(json_get "$TMP/json" .probe.tftp.error_code)" "1"

# The served-file case: the server again, with a map that turns the
# probe's made-up name into a file that exists, so it serves the data.
printf 'r ^portscope-probe-.*\\.none$ served.txt\n' >"$TMP/tftp.map"
head -c 700 /dev/zero | tr '\0' 'a' >"$TMP/tftp/served.txt"
kill "$(cat "$TMP/tftpd.pid")" 2>/dev/null
wait_for 10 bash -c "! ip netns exec $NS ss -Hlnu 'sport = :69' | grep -q ." ||
    notok "the first in.tftpd did not stop"
ns_spawn in.tftpd -L --address 127.0.0.1:69 -u root -s "$TMP/tftp" \
    -m "$TMP/tftp.map" -P "$TMP/tftpd2.pid" >"$TMP/tftpd2.out" 2>&1
wait_for 10 listening u 69 || notok "the mapped in.tftpd did not start on 69"
query -p udp -e 69 --reason 127.0.0.1 >"$TMP/out" 2>&1
check_grep "tftp served: verdict" "$TMP/out" '^UDP port 69 \(tftp service\): LISTENING \(reason: tftp data reply\)$'
check_grep "tftp served: the first block's size" "$TMP/out" '^TFTP served the file: first block of 512 bytes'
query -p udp -e 69 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "tftp served: json" "$(json_get "$TMP/json" '"\(.probe.tftp.served) \(.probe.tftp.block_bytes)"')" "true 512"
