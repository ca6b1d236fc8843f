# make install honours PREFIX and DESTDIR and installs the binary, the man
# page (valid troff: no groff warning) and the bash and zsh completions; the bash one works (completion_zsh.sh drives zsh).
. "$(dirname "$0")/lib.sh"
top=${PORTSCOPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
san=; case "$PORTSCOPE" in */build/san/*) san=1 ;; esac
# Install the binary under test as it is (-o: never rebuilt here, whatever
# configuration this make would pick), with its optional parts as built.
parts=$("$PORTSCOPE" --version | sed -n 's/^\([a-z0-9]*\): no$/\1=0/p' | tr a-z A-Z)
make -s -C "$top" install SANITIZE=$san $parts -o "${PORTSCOPE#"$top"/}" \
	PREFIX=/opt/ps DESTDIR="$TMP/root" >"$TMP/out" 2>&1
check_eq "make install exits 0" "$?" 0
check "binary installed under DESTDIR/PREFIX/bin" test -x "$TMP/root/opt/ps/bin/portscope"
check "man page installed under DESTDIR/PREFIX/share/man/man1" test -f "$TMP/root/opt/ps/share/man/man1/portscope.1"
"$TMP/root/opt/ps/bin/portscope" --version >"$TMP/v"
check_grep "installed binary runs" "$TMP/v" '^portscope '
check "the installed binary is the one under test" cmp -s "$PORTSCOPE" "$TMP/root/opt/ps/bin/portscope"
# every groff warning (-ww) fails the check, at a fixed width
MANWIDTH=80 man --warnings=w -l "$TMP/root/opt/ps/share/man/man1/portscope.1" >"$TMP/man.txt" 2>"$TMP/man.err"
check_eq "man page formats: status 0" "$?" 0
check_eq "man page is valid troff: no groff warning" "$(cat "$TMP/man.err")" ""
check_grep "man page formats to text" "$TMP/man.txt" '^NAME'

# bash completion: installed, and completing from the installed binary
comp=$TMP/root/opt/ps/share/bash-completion/completions/portscope
check "bash completion installed under DESTDIR/PREFIX/share/bash-completion/completions" test -f "$comp"
check "zsh completion installed under DESTDIR/PREFIX/share/zsh/vendor-completions" \
    cmp -s "$top/contrib/completion/_portscope" "$TMP/root/opt/ps/share/zsh/vendor-completions/_portscope"
# complete WORD...: what TAB offers after the words (the last is the one completed)
complete_words() {
	PATH=$TMP/root/opt/ps/bin:$PATH bash -c '
		. "$1"; shift
		complete -p portscope >/dev/null || exit 1
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _portscope
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$comp" "$@"
}
check_eq "portscope lo<TAB> completes the command" "$(complete_words portscope lo)" "local "
cmds=$("$PORTSCOPE" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
check_eq "portscope <TAB> offers help and every command of --help" "$(complete_words portscope '')" \
	"$(printf '%s\n' help $cmds | sort | tr '\n' ' ')"
check_eq "portscope local --li<TAB> completes the option" "$(complete_words portscope local --li)" "--listening "
check_eq "PortQry's -wp<TAB> offers -wpid and -wport" "$(complete_words portscope -wp)" "-wpid -wport "
check_eq "PortQry's -wport 80 -w<TAB> offers -wt (and the other modes)" "$(complete_words portscope -wport 80 -w)" "-wpid -wport -wt "
check_eq "PortQry's -n HOST -s<TAB> offers query's -sl and -sp" "$(complete_words portscope -n host -s)" "-sl -sp "
check_eq "watch --owners <TAB> offers watch's sources" "$(complete_words portscope watch --owners '')" "bpf procfs "
check_eq "query --set d<TAB> offers the sets" "$(complete_words portscope query --set d)" "dns domain "
