#!/usr/bin/env bash
# Greeting banners from real servers: vsftpd (FTP), exim4 (SMTP), dovecot
# (POP3 and IMAP).  probe_hostile.sh has a hostile banner.
. "$(dirname "$0")/probe_lib.bash"
need_cmd vsftpd
need_cmd exim4
need_cmd dovecot
mkdir -p "$TMP/empty" "$TMP/ftp" "$TMP/dovecot"
cat >"$TMP/vsftpd.conf" <<CONF
listen=YES
listen_address=127.0.0.1
listen_port=21
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$TMP/ftp
local_enable=NO
secure_chroot_dir=$TMP/empty
ftpd_banner=portscope test FTP
seccomp_sandbox=NO
CONF
ns_spawn vsftpd "$TMP/vsftpd.conf" >"$TMP/vsftpd.out" 2>&1
ns_spawn exim4 -bdf -oX 127.0.0.1.25 -oP "$TMP/exim.pid" >"$TMP/exim.out" 2>&1
cat >"$TMP/dovecot/dovecot.conf" <<CONF
base_dir = $TMP/dovecot/run
state_dir = $TMP/dovecot/state
log_path = $TMP/dovecot/log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
login_greeting = portscope test mail
passdb {
  driver = static
  args = password=none
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$TMP/dovecot/home
}
CONF
ns_spawn dovecot -F -c "$TMP/dovecot/dovecot.conf" >"$TMP/dovecot.out" 2>&1
for p in 21 25 110 143; do
	wait_for 10 listening t $p || notok "nothing listens on tcp/$p"
done
# exim's first greeting can take over a second after it binds (the probe
# reads for one); wait until it greets, so that the test is about the probe
greets() { in_ns timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/25 && head -c 3 <&3' | grep -q 220; }
wait_for 15 greets || notok "exim does not greet on tcp/25"

query -p tcp -o 21,25,110,143 127.0.0.1 >"$TMP/out" 2>&1
check_grep "ftp: verdict" "$TMP/out" '^TCP port 21 \(ftp service\): LISTENING$'
check_grep "ftp: banner" "$TMP/out" '^220 portscope test FTP$'
check_grep "smtp: verdict" "$TMP/out" '^TCP port 25 \(smtp service\): LISTENING$'
check_grep "smtp: banner" "$TMP/out" '^220 .* ESMTP Exim '
check_grep "pop3: banner" "$TMP/out" '^\+OK portscope test mail$'
check_grep "imap: banner" "$TMP/out" '^\* OK .*portscope test mail$'
check_eq "four 'Data returned from port:' blocks" \
    "$(grep -c '^Data returned from port:$' "$TMP/out")" 4
check_nogrep "no carriage returns printed" "$TMP/out" $'\r'

query -p tcp -o 21,25,110,143 --json 127.0.0.1 >"$TMP/json" 2>&1
check_eq "json: banners under probe.<name>.banner" \
    "$(jq -r '.probe | to_entries[0] | .key + "=" + (.value.banner | .[0:3])' "$TMP/json" | tr '\n' ' ')" \
    "ftp=220 smtp=220 pop3=+OK imap=* O "


# A server that holds its greeting back on purpose (sendmail's greet_pause,
# Postfix's postscreen): exim with a 2 s delay in its connect ACL, on
# 127.0.0.2.  The probe waits for a server that speaks first up to 4.5 s,
# so the banner is read; before, the 1 s wait for a reply gave up and the
# port read as LISTENING with no banner.
mkdir -p "$TMP/exim-slow"
chmod o+x "$TMP"	# exim drops to Debian-exim for its spool
chown Debian-exim "$TMP/exim-slow" || notok "no Debian-exim user (exim4 package)"
cat >"$TMP/exim-slow.conf" <<CONF
primary_hostname = slow.portscope.test
tls_advertise_hosts =
exim_user = Debian-exim
exim_group = Debian-exim
spool_directory = $TMP/exim-slow
log_file_path = $TMP/exim-slow/%slog
acl_smtp_connect = acl_connect
begin acl
acl_connect:
  accept delay = 2s
CONF
ns_spawn exim4 -C "$TMP/exim-slow.conf" -bdf -oX 127.0.0.2.25 \
    -oP "$TMP/exim-slow.pid" >"$TMP/exim-slow.out" 2>&1
wait_for 10 bash -c "ip netns exec $NS ss -Hlnt 'src 127.0.0.2:25' | grep -q ." ||
    { notok "the delayed exim does not listen on 127.0.0.2:25";
      sed 's/^/# /' "$TMP/exim-slow.out" "$TMP"/exim-slow/*log 2>/dev/null; }
t0=$EPOCHREALTIME
query -p tcp -e 25 127.0.0.2 >"$TMP/slow" 2>&1; rc=$?
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
check_eq "slow greeting: exit status" "$rc" 0
check_grep "slow greeting: verdict" "$TMP/slow" '^TCP port 25 \(smtp service\): LISTENING$'
check_grep "slow greeting: the banner after 2 s is read" "$TMP/slow" \
    '^220 slow\.portscope\.test ESMTP Exim '
check "slow greeting: waited for it (2 s <= ${took} s < 10 s)" \
    awk -v t="$took" 'BEGIN { exit !(t >= 2 && t < 10) }'
