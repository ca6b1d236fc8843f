#!/usr/bin/env bash
# L2TP probe against a real xl2tpd LNS.
. "$(dirname "$0")/probe_lib.bash"
need_cmd xl2tpd
cat >"$TMP/xl2tpd.conf" <<CONF
[global]
listen-addr = 127.0.0.1
port = 1701
[lns default]
ip range = 10.99.0.2-10.99.0.20
local ip = 10.99.0.1
hostname = portscope-lns
CONF
ns_spawn xl2tpd -D -c "$TMP/xl2tpd.conf" -p "$TMP/xl2tpd.pid" \
    -C "$TMP/l2tp-control" >"$TMP/xl2tpd.out" 2>&1
wait_for 10 listening u 1701 || notok "xl2tpd did not start"
query -p udp -e 1701 127.0.0.1 >"$TMP/out" 2>&1
check_grep "l2tp: verdict" "$TMP/out" '^UDP port 1701 \(.*\): LISTENING$'
check_grep "l2tp: SCCRP" "$TMP/out" '^L2TP version 2 control message: SCCRP$'
check_grep "l2tp: host name" "$TMP/out" '^host name: portscope-lns$'
check_grep "l2tp: vendor" "$TMP/out" '^vendor: xelerance.com$'
check_grep "l2tp: protocol version" "$TMP/out" '^protocol version: 1\.0$'
query -p udp -e 1701 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "l2tp: json host name" "$(json_get "$TMP/json" .probe.l2tp.host_name)" "portscope-lns"
