#!/usr/bin/env bash
# Hostile and truncated replies from a tiny responder on each probe's port:
# the verdict's reason says "malformed reply", portscope does not crash, and
# no control byte from the network reaches the terminal raw.
. "$(dirname "$0")/probe_lib.bash"
C=$TOP/tests/fuzz/corpus
serve() {	# serve MODE PORT ARG
	ns_spawn python3 "$RESPONDER" "$@" >/dev/null 2>&1
}
printf '220 evil\033]0;pwned\007 host\033[2J\r\n' >"$TMP/evil-banner"
printf 'HTTP/1.0 400 Bad Request\r\n\r\n' >"$TMP/not-rpc"
printf '\060\204\377\377\377\377\002\001\001' >"$TMP/huge-ldap"
head -c 47 "$C/fuzz_ntp/chronyd-stratum8.bin" >"$TMP/ntp-short"
head -c 60 "$C/fuzz_snmp/snmpd-v2c-public.bin" >"$TMP/snmp-cut"
printf '\005\377\377ServerName;X;;' >"$TMP/sql-overlong"
# a node status answer claiming 200 names but carrying 5
{ head -c 56 "$C/fuzz_netbios/nmbd-node-status.bin"; printf '\310';
  tail -c +58 "$C/fuzz_netbios/nmbd-node-status.bin"; } >"$TMP/nb-count"

serve tcpfile 127.0.0.1 25 "$TMP/evil-banner"
serve tcpfile 127.0.0.1 135 "$TMP/not-rpc"
serve tcpfile 127.0.0.1 389 "$TMP/huge-ldap"
serve file 127.0.0.1 123 "$TMP/ntp-short"
serve file 127.0.0.1 161 "$TMP/snmp-cut"
serve file 127.0.0.1 1434 "$TMP/sql-overlong"
serve file 127.0.0.1 137 "$TMP/nb-count:2"
for p in 25 135 389; do wait_for 10 listening t $p || notok "responder on tcp/$p"; done
for p in 123 161 1434 137; do wait_for 10 listening u $p || notok "responder on udp/$p"; done

query -p tcp -o 25,135,389 --reason 127.0.0.1 >"$TMP/tcp" 2>&1; rc=$?
check_eq "tcp: exit status" "$rc" 0
check_grep "banner: escaped, shown" "$TMP/tcp" '^220 evil\\x1b\]0;pwned\\x07 host\\x1b\[2J$'
check_nogrep "banner: no raw control byte" "$TMP/tcp" $'[\001-\011\013-\037\177]'
check_grep "rpc: malformed reply" "$TMP/tcp" '^TCP port 135 \(.*\): LISTENING \(reason: malformed reply\)$'
check_grep "ldap: malformed reply" "$TMP/tcp" '^TCP port 389 \(.*\): LISTENING \(reason: malformed reply\)$'

query -p udp -o 123,161,1434,137 --reason 127.0.0.1 >"$TMP/udp" 2>&1; rc=$?
check_eq "udp: exit status" "$rc" 0
for p in 123 161 1434 137; do
	check_grep "udp/$p: malformed reply" "$TMP/udp" \
	    "^UDP port $p \(.*\): LISTENING \(reason: malformed reply\)\$"
done
check_nogrep "udp: no sanitizer report" "$TMP/udp" 'Sanitizer|runtime error'
query -p udp -o 123,161,1434,137 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "json: every line parses, all malformed" \
    "$(jq -r .reason "$TMP/json" | sort -u)" "malformed reply"
