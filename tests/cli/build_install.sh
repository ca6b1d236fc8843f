# make install honours PREFIX and DESTDIR and installs the binary and man page.
. "$(dirname "$0")/lib.sh"
top=${PORTSCOPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
san=; case "$PORTSCOPE" in */build/san/*) san=1 ;; esac
make -s -C "$top" install SANITIZE=$san PREFIX=/opt/ps DESTDIR="$TMP/root" >"$TMP/out" 2>&1
check_eq "make install exits 0" "$?" 0
check "binary installed under DESTDIR/PREFIX/bin" test -x "$TMP/root/opt/ps/bin/portscope"
check "man page installed under DESTDIR/PREFIX/share/man/man1" test -f "$TMP/root/opt/ps/share/man/man1/portscope.1"
"$TMP/root/opt/ps/bin/portscope" --version >"$TMP/v"
check_grep "installed binary runs" "$TMP/v" '^portscope '
check "man page is valid troff" sh -c "man -l '$TMP/root/opt/ps/share/man/man1/portscope.1' 2>&1 >/dev/null | grep -q . && exit 1 || exit 0"
