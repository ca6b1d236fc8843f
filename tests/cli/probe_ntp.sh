#!/usr/bin/env bash
# NTP probe against a real chronyd serving its local clock (stratum 8).
. "$(dirname "$0")/probe_lib.bash"
need_cmd chronyd
cat >"$TMP/chrony.conf" <<CONF
local stratum 8
allow 127.0.0.1
port 123
cmdport 0
pidfile $TMP/chronyd.pid
driftfile $TMP/chrony.drift
CONF
ns_spawn chronyd -d -x -f "$TMP/chrony.conf" >"$TMP/chronyd.out" 2>&1
wait_for 10 listening u 123 || notok "chronyd did not start"
query -p udp -e 123 127.0.0.1 >"$TMP/out" 2>&1
check_grep "ntp: verdict" "$TMP/out" '^UDP port 123 \(ntp service\): LISTENING$'
check_grep "ntp: stratum" "$TMP/out" '^NTP version 4 server, stratum 8 '
check_grep "ntp: reference id" "$TMP/out" '^reference id: 127\.127\.1\.1$'
# the server's time and the offset, against our clock with a generous
# bound (a date taken after the query differs across midnight)
check "ntp: server time within 60 s of ours ($(sed -n 's/^server time: //p' "$TMP/out"))" \
	python3 -c '
import datetime, sys, time
t = sys.argv[1].rstrip("Z").replace("T", " ")
d = datetime.datetime.fromisoformat(t).replace(tzinfo=datetime.timezone.utc)
sys.exit(abs(d.timestamp() - time.time()) >= 60)' "$(sed -n 's/^server time: //p' "$TMP/out")"
check_grep "ntp: offset printed" "$TMP/out" '^offset from ours: [-+][0-9]+\.[0-9]+ s$'
check "ntp: offset under 1 s (same clock)" \
	awk '/^offset from ours:/ { f = 1; o = $4 < 0 ? -$4 : $4; ok = o < 1 }
	    END { exit !(f && ok) }' "$TMP/out"
query -p udp -e 123 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "ntp: json stratum" "$(json_get "$TMP/json" .probe.ntp.stratum)" "8"
check_eq "ntp: json reason" "$(json_get "$TMP/json" .reason)" "ntp reply"
