# The man page and the README agree with the binary: every option that
# `portscope help CMD` shows is in the man page's part for CMD, every option
# the man page gives an entry (.TP) there is one the help shows, and every
# option either names (or the README's command lines use) is accepted by
# the binary.  Commands come from `portscope --help`, so a new command must
# bring its man section, README section and options with it.
. "$(dirname "$0")/lib.sh"
top=${PORTSCOPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
H=$top/tests/cli/helpers
man=$top/doc/portscope.1
readme=$top/README.md

python3 "$H/docopts.py" "$PORTSCOPE" "$man" "$readme" >"$TMP/found" 2>"$TMP/err"
check_eq "the comparison ran" "$?$(cat "$TMP/err")" 0
cmds=$(awk -F'\t' '$2 == "checked" { print $1 }' "$TMP/found")
check "it found commands in portscope --help" test -n "$cmds"
for c in $cmds; do
	n=$(awk -F'\t' -v c="$c" '$1 == c && $2 == "checked" { print $3 }' "$TMP/found")
	check "$c: options found in 'help $c' ($n)" test "$n" -gt 0
done
describe() {	# describe KIND: what a finding of KIND means
	case $1 in
	section) echo "has a man page section and a README section" ;;
	help-not-in-man) echo "every option of 'help CMD' is in the man page's section" ;;
	man-not-in-help) echo "every option with a man page entry is in 'help CMD'" ;;
	not-accepted) echo "every option in the help or the man page is accepted" ;;
	readme-not-accepted) echo "every option the README's command lines use is accepted" ;;
	esac
}
for c in $(awk -F'\t' '$2 == "checked" || $2 == "section" { print $1 }' "$TMP/found" | sort -u); do
	for kind in section help-not-in-man man-not-in-help not-accepted readme-not-accepted; do
		bad=$(awk -F'\t' -v c="$c" -v k="$kind" '$1 == c && $2 == k { printf "%s ", $3 }' "$TMP/found")
		check_eq "$c: $(describe "$kind" | sed "s/CMD/$c/")" "$bad" ""
	done
done

# The comparison can fail: a man page where local's --csv is renamed to an
# option nothing accepts, and a README that uses a misspelt option.
sed 's/\\-\\-csv/\\-\\-no\\-such\\-thing/g' "$man" >"$TMP/bad.1"
cmp -s "$man" "$TMP/bad.1"
check_eq "the broken man page differs" "$?" 1
sed '/^<!-- end: local -->/i\    portscope local --jsn' "$readme" >"$TMP/bad.md"
python3 "$H/docopts.py" "$PORTSCOPE" "$TMP/bad.1" "$TMP/bad.md" >"$TMP/badfound" 2>&1
check_grep "a help option missing from the man page is found" "$TMP/badfound" $'^local\thelp-not-in-man\t--csv$'
check_grep "a man page entry the help does not show is found" "$TMP/badfound" $'^local\tman-not-in-help\t--no-such-thing$'
check_grep "a man page option the binary refuses is found" "$TMP/badfound" $'^local\tnot-accepted\t--no-such-thing$'
check_grep "a README option the binary refuses is found" "$TMP/badfound" $'^local\treadme-not-accepted\t--jsn$'
