# Helpers for the probe tests (tests/cli/probe_*.sh); sourced, not run.
# Each test gets a network namespace of its own with loopback up: the real
# servers run inside it on their standard ports, with their own
# configuration, pid and state files under $TMP, and portscope queries
# them there.  lib.sh tears everything down.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root "network namespaces for the probe tests"
NS=psp$$
ip netns add "$NS" || { notok "cannot create network namespace $NS"; exit 0; }
on_exit ip netns del "$NS"
# Everything still running in the namespace was started by this test (a
# server's workers included): stop it before the namespace goes.
on_exit 'for p in $(ip netns pids "$NS"); do kill "$p"; done; sleep 0.2;
    for p in $(ip netns pids "$NS"); do kill -9 "$p"; done'
ip -n "$NS" link set lo up
TOP=${PORTSCOPE_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
RESPONDER=$TOP/tests/cli/responder.py

in_ns() { ip netns exec "$NS" "$@"; }
# ns_spawn CMD...: start CMD in the namespace in the background; it is a
# direct child (ip netns exec execs it), so $SPAWNED is the server's pid.
ns_spawn() { spawn ip netns exec "$NS" "$@"; }
# query ARGS...: portscope query inside the namespace, no reverse lookup.
query() { in_ns "$PORTSCOPE" query -nr "$@"; }
# need_cmd PROG: the server is installed (.ci/packages), or a failure.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] ||
	    { notok "'$1' is not installed (see .ci/packages)"; exit 0; }
}
# listening u|t PORT: something in the namespace listens on PORT.
listening() { in_ns ss -Hln"$1" "sport = :$2" | grep -q .; }
# json_get FILE JQ: the jq expression over the JSON lines of FILE.
json_get() { jq -r "$2" "$1" 2>/dev/null; }
# ns_veth ADDR/LEN: a veth pair inside the namespace, ADDR on its first
# end.  Some servers want an interface that is not loopback: nmbd for
# broadcasts, in.tftpd and charon because getaddrinfo(AI_ADDRCONFIG)
# ignores loopback-only hosts.
ns_veth() {
	ip -n "$NS" link add ps0 type veth peer name ps1 &&
	ip -n "$NS" addr add "$1" dev ps0 &&
	ip -n "$NS" link set ps0 up && ip -n "$NS" link set ps1 up ||
	    notok "cannot create a veth pair in $NS"
}
# nmbd_start: nmbd as PSTEST in workgroup PSGROUP on a veth end at
# 10.137.0.1 (nmbd wants a broadcast interface); fails the test when it
# does not bind UDP 137.
nmbd_start() {
	need_cmd nmbd
	ns_veth 10.137.0.1/24
	mkdir -p "$TMP/samba"
	cat >"$TMP/smb.conf" <<CONF
[global]
netbios name = PSTEST
workgroup = PSGROUP
interfaces = ps0
bind interfaces only = yes
pid directory = $TMP/samba
lock directory = $TMP/samba
state directory = $TMP/samba
cache directory = $TMP/samba
private dir = $TMP/samba
ncalrpc dir = $TMP/samba
log file = $TMP/samba/log.%m
CONF
	ns_spawn nmbd -F --no-process-group -s "$TMP/smb.conf" >"$TMP/nmbd.out" 2>&1
	wait_for 20 listening u 137 || notok "nmbd did not start"
}
