#!/usr/bin/env bash
# DNS over TCP 53 (dnsmasq answers the same version.bind query on both
# protocols) and the FTP anonymous logon after the greeting (vsftpd, once
# allowing anonymous users and once refusing them).
. "$(dirname "$0")/probe_lib.bash"
need_cmd dnsmasq
need_cmd vsftpd
ns_spawn dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --pid-file= \
	--listen-address=127.0.0.1 --bind-interfaces --port=53 \
	--log-facility=- 2>"$TMP/dnsmasq.log"
wait_for 10 listening t 53 && wait_for 10 listening u 53 ||
	notok "dnsmasq does not listen on tcp/53 and udp/53"

query -p both -e 53 127.0.0.1 >"$TMP/dns" 2>&1
check_grep "dns/tcp: verdict" "$TMP/dns" '^TCP port 53 \(domain service\): LISTENING$'
check_grep "dns/udp: verdict" "$TMP/dns" '^UDP port 53 \(domain service\): LISTENING$'
check_eq "dns: the version.bind answer came on both protocols" \
	"$(grep -c '^    version\.bind TXT "dnsmasq-[0-9.]*"$' "$TMP/dns")" 2
query -p tcp -e 53 --json 127.0.0.1 >"$TMP/dnsj" 2>&1
check_eq "dns/tcp json: reason and rcode" \
	"$(json_get "$TMP/dnsj" '[.reason, .probe.dns.rcode, .probe.dns.answers[0].name] | join(" ")')" \
	"dns reply NOERROR version.bind"

mkdir -p "$TMP/empty" "$TMP/ftp"
# The refusing server allows anonymous users but bans every password
# PortQry-style probes give (deny_email_enable), so the refusal comes
# after PASS, as from a server that checks anonymous passwords.
echo "portscope@" >"$TMP/banned"
vsftpd_conf() {	# vsftpd_conf PORT ANONYMOUS(YES|NO) > conf
	cat <<CONF
listen=YES
listen_address=127.0.0.1
listen_port=$1
background=NO
anonymous_enable=YES
deny_email_enable=$([ "$2" = YES ] && echo NO || echo YES)
banned_email_file=$TMP/banned
no_anon_password=NO
anon_root=$TMP/ftp
local_enable=NO
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$TMP/vsftpd-$1.log
delay_failed_login=0
secure_chroot_dir=$TMP/empty
ftpd_banner=portscope test FTP
seccomp_sandbox=NO
CONF
}
vsftpd_conf 21 YES >"$TMP/anon.conf"
vsftpd_conf 2121 NO >"$TMP/noanon.conf"
ns_spawn vsftpd "$TMP/anon.conf" >"$TMP/vsftpd1.out" 2>&1
ns_spawn vsftpd "$TMP/noanon.conf" >"$TMP/vsftpd2.out" 2>&1
wait_for 10 listening t 21 && wait_for 10 listening t 2121 ||
	notok "vsftpd does not listen on tcp/21 and tcp/2121"

query -p tcp -e 21 127.0.0.1 >"$TMP/ftp.out" 2>&1
check_eq "ftp: the greeting, then the logon and both answers" \
	"$(sed -n '/^Data returned/,$p' "$TMP/ftp.out")" \
	"Data returned from port:
220 portscope test FTP

Attempting anonymous logon...
Server's response:
331 Please specify the password.
230 Login successful."
query -p tcp -e 21 --json 127.0.0.1 >"$TMP/ftpj" 2>&1
check_eq "ftp json: anonymous allowed, the replies" \
	"$(json_get "$TMP/ftpj" '[.reason, .probe.ftp.anonymous, (.probe.ftp.user_reply|.[0:3]), (.probe.ftp.pass_reply|.[0:3])] | join(" ")')" \
	"ftp anonymous logon allowed true 331 230"

# Port 2121 has no probe of its own: ask for the FTP conversation the way
# the probe tests do, with probe_talk.
TALK=$(dirname "$PORTSCOPE")/tests/tools/probe_talk
if [ -x "$TALK" ]; then
	in_ns "$TALK" ftp 127.0.0.1 2121 >"$TMP/talk" 2>&1
	check_grep "ftp refused: the server's refusal is reported" "$TMP/talk" '^530 Login incorrect\.$'
	check_grep "ftp refused: reason" "$TMP/talk" '^reason: ftp anonymous logon refused$'
else
	notok "probe_talk was not built ($TALK)"
fi
# vsftpd logs each command it received (log_ftp_protocol): the probe sent
# the logon and nothing else: three logons (two queries on 21, one on
# 2121), each USER then PASS
check_eq "ftp: the client sent USER and PASS, nothing else" \
	"$(grep -ho 'FTP command: Client "[^"]*", "[A-Z]*' "$TMP"/vsftpd-*.log | sed 's/.*"//' | sort | uniq -c | tr -s ' ')" \
	" 3 PASS
 3 USER"
