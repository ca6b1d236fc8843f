# Process names are untrusted: a process named "\e[2J\e]0;x\a;=1+1" (and
# one named with DEL, a C1 CSI and a bidi override) holding sockets prints
# harmlessly in local's text, CSV and JSON and in watch's text and JSON:
# no control byte reaches the terminal, CSV stays one record per socket
# with the owner list split only between owners, JSON decodes to the name.
. "$(dirname "$0")/lib.sh"
need_root "local_hostile runs in its own network namespace"
if [ "${INNER:-}" != 1 ]; then
	INNER=1 exec unshare --net bash "$0" "$@"
fi
ip link set lo up
hostile() {	# NAME_HEX PORT READYFILE: a process of that name, two fds on one UDP socket
	spawn python3 -c '
import os, socket, sys, time
name = bytes.fromhex(sys.argv[1])
with open("/proc/self/comm", "wb") as f:
    f.write(name)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[2])))
d = os.dup(s.fileno())
if os.fork() == 0:		# a second owner of the same name
    time.sleep(60); os._exit(0)
open(sys.argv[3], "w").write(open("/proc/self/comm", "rb").read()[:-1].hex())
time.sleep(60)' "$@"
}
n1=$(printf '\033[2J\033]0;x\a;=1+1' | od -An -tx1 | tr -d ' \n')
n2=$(printf 'a\177\302\233\342\200\256b;c,d"e' | od -An -tx1 | tr -d ' \n')
hostile "$n1" 7101 "$TMP/r1"
hostile "$n2" 7102 "$TMP/r2"
wait_for 10 test -s "$TMP/r1" && wait_for 10 test -s "$TMP/r2" || notok "hostile processes started"
check_eq "the kernel kept the first name whole" "$(cat "$TMP/r1")" "$n1"
check_eq "the kernel kept the second name whole" "$(cat "$TMP/r2")" "$n2"

# harmless: no C0 control but newline, no DEL, no C1 (as UTF-8), no bidi control
harmless() {
	python3 - "$1" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
bad = re.findall(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c", data)
print(len(bad))
PY
}
"$PORTSCOPE" local >"$TMP/text" 2>&1
"$PORTSCOPE" local -v >"$TMP/textv" 2>&1
"$PORTSCOPE" local --csv >"$TMP/csv" 2>&1
"$PORTSCOPE" local --json -v >"$TMP/json" 2>&1
"$PORTSCOPE" watch --port 7101 --count 1 -v >"$TMP/wtext" 2>&1
# (stderr apart: a build without BPF says there that it polls, and the
# JSON Lines are parsed below)
"$PORTSCOPE" watch --port 7102 --count 1 -v --json >"$TMP/wjson" 2>"$TMP/wjson.err"
[ -n "${KEEP:-}" ] && cp "$TMP/wjson" "$KEEP"
for f in text textv csv json wtext wjson wjson.err; do
	check_eq "$f: no control byte, C1 or bidi control reaches the terminal" "$(harmless "$TMP/$f")" 0
done
check_grep "text: the name shown with its bytes escaped" "$TMP/text" \
	'^Process ID: [0-9]+ \(\\x1b\[2J\\x1b\]0;x\\x07;=1\+1\)$'
check_grep "watch text: the same" "$TMP/wtext" 'pid [0-9]+ \\x1b\[2J\\x1b\]0;x\\x07;=1\+1 \('

python3 - "$TMP/csv" "$n1" "$n2" >"$TMP/csvcheck" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body = rows[0], rows[1:]
want = {7101: bytes.fromhex(sys.argv[2]), 7102: bytes.fromhex(sys.argv[3])}
def unescape(s):
    out, i = bytearray(), 0
    while i < len(s):
        if s[i] == "\\" and s[i + 1] == "x":
            out.append(int(s[i + 2:i + 4], 16)); i += 4
        else:
            out += s[i].encode(); i += 1
    return bytes(out)
bad = 0
for r in body:
    if len(r) != len(head):
        bad += 1; print("# a record of %d fields: %r" % (len(r), r)); continue
    o = dict(zip(head, r))
    port = int(o["local_port"])
    if port in want:
        names, pids = o["process"].split(";"), o["pid"].split(";")
        if len(names) != len(pids) or len(names) != 4 or any(unescape(n) != want[port] for n in names):
            bad += 1; print("# port %d: %r %r" % (port, names, pids))
print(bad, len(body))
PY
read -r bad nrec < <(tail -n 1 "$TMP/csvcheck")
grep '^#' "$TMP/csvcheck"
check_eq "csv: one record per socket, the owner list splits into its 4 owners (2 processes, 2 fds each), each name decodes back" "$bad" 0
check_eq "csv: a record per line" "$(($(wc -l <"$TMP/csv") - 1))" "$nrec"

python3 - "$TMP/json" "$TMP/wjson" "$n1" "$n2" >"$TMP/jcheck" <<'PY'
import json, sys
want = {7101: bytes.fromhex(sys.argv[3]).decode("utf-8", "replace"),
        7102: bytes.fromhex(sys.argv[4]).decode("utf-8", "replace")}
seen = bad = 0
for path in sys.argv[1:3]:
    for line in open(path):
        o = json.loads(line)
        if o.get("local_port") in want:
            for w in o["owners"]:
                seen += 1
                if w["comm"] != want[o["local_port"]]:
                    bad += 1; print("# %r != %r" % (w["comm"], want[o["local_port"]]))
print(bad, seen)
PY
read -r bad seen < <(tail -n 1 "$TMP/jcheck")
grep '^#' "$TMP/jcheck"
check_eq "json: every owner's name decodes to the process's name" "$bad" 0
check "json: ... for each of the owners ($seen)" test "$seen" -ge 9
