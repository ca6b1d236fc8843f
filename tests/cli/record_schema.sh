# The record database's schema is a public interface: every table and
# column that `record` creates is documented in the man page's RECORD
# DATABASE section (under its table's heading), and nothing documented is
# missing from the file.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { notok "the sqlite3 shell is not installed"; exit 0; }
"$PORTSCOPE" --version | grep -qx 'sqlite: yes' || { skip "record_schema" "built without SQLite"; exit 0; }
db=$TMP/s.db
"$PORTSCOPE" record --db "$db" --poll --flush-interval 0.1 2>"$TMP/err" & rec=$!
_pids+=("$rec")
wait_for 10 sh -c "sqlite3 '$db' 'SELECT count(*) FROM runs' 2>/dev/null | grep -q 1"
kill -TERM "$rec"; wait "$rec"
check_eq "record made a database of schema version 1" "$(sqlite3 "$db" "PRAGMA user_version")" 1
python3 - "$db" "${PORTSCOPE_TOP:-.}/doc/portscope.1" <<'PY'
import re, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
man = open(sys.argv[2]).read()
sec = man.split(".SH RECORD DATABASE", 1)[1].split("\n.SH ", 1)[0]
# each ".SS a, b, c" heading covers tables a, b, c; ".B name" or ".B table.name" items
doc = {}
for part in sec.split("\n.SS ")[1:]:
    head, body = part.split("\n", 1)
    names = re.findall(r"^\.B ([a-z_.]+)$", body, re.M)
    for t in [h.strip() for h in head.split(",")]:
        doc[t] = set(n.split(".", 1)[1] if n.startswith(t + ".") else n for n in names)
tables = [r[0] for r in db.execute(
    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")]
for t in tables:
    cols = [r[1] for r in db.execute("PRAGMA table_info(%s)" % t)]
    missing = [c for c in cols if c not in doc.get(t, set())]
    print(("ok" if t in doc and not missing else "not ok") +
          " - table %s documented%s" % (t, (": missing " + ", ".join(missing)) if missing else ""))
extra = [t for t in doc if t not in tables]
print(("ok" if not extra else "not ok") + " - every documented table exists%s" %
      ((": " + ", ".join(extra)) if extra else ""))
PY
