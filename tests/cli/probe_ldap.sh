#!/usr/bin/env bash
# LDAP root DSE over TCP against a real slapd; CLDAP (UDP) against the
# tiny responder, since only a Samba AD domain controller speaks CLDAP.
. "$(dirname "$0")/probe_lib.bash"
need_cmd slapd
mkdir -p "$TMP/db"
cat >"$TMP/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
pidfile $TMP/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
suffix "dc=portscope,dc=test"
directory $TMP/db
CONF
ns_spawn slapd -d 0 -h ldap://127.0.0.1:389/ -f "$TMP/slapd.conf" >"$TMP/slapd.out" 2>&1
wait_for 10 listening t 389 || notok "slapd did not start"
ns_spawn python3 "$RESPONDER" cldap 127.0.0.1 389 >"$TMP/resp.out" 2>&1
wait_for 10 listening u 389 || notok "responder did not start"

query -p tcp -e 389 127.0.0.1 >"$TMP/out" 2>&1
check_grep "ldap: verdict" "$TMP/out" '^TCP port 389 \(ldap service\): LISTENING$'
check_grep "ldap: namingContexts" "$TMP/out" '^namingContexts: dc=portscope,dc=test$'
check_grep "ldap: supportedLDAPVersion" "$TMP/out" '^supportedLDAPVersion: 3$'
check_grep "ldap: SASL mechanisms" "$TMP/out" '^supportedSASLMechanisms: '

query -p tcp -e 389 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "ldap: json reason" "$(json_get "$TMP/json" .reason)" "ldap reply"
check_eq "ldap: json namingContexts" \
    "$(json_get "$TMP/json" '.probe.ldap.attributes.namingContexts[0]')" "dc=portscope,dc=test"

query -p udp -e 389 127.0.0.1 >"$TMP/cout" 2>&1
check_grep "cldap: verdict" "$TMP/cout" '^UDP port 389 \(ldap service\): LISTENING$'
check_grep "cldap: dnsHostName" "$TMP/cout" '^dnsHostName: dc1.portscope.test$'
query -p udp -e 389 --json 127.0.0.1 >"$TMP/cjson" 2>&1
check_eq "cldap: json supportedLDAPVersion" \
    "$(json_get "$TMP/cjson" '.probe.cldap.attributes.supportedLDAPVersion | join(",")')" "3,2"
