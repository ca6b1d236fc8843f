# The build tracks its configuration: a first `make` on a machine without
# libbpf (hidden here behind a pkg-config that does not know it) builds
# without BPF and says so in one line; once libbpf is there, `make` rebuilds
# with BPF (the stale objects were kept before: issue 8).  Changing BPF=,
# CFLAGS or LDFLAGS rebuilds what they affect, and an unchanged
# configuration rebuilds nothing.  Built in a copy of the tree.
. "$(dirname "$0")/lib.sh"
top=${PORTSCOPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$TMP/tree
mkdir -p "$T" "$TMP/bin"
cp -r "$top/Makefile" "$top/src" "$top/doc" "$T/"
# a pkg-config that has never heard of libbpf
cat >"$TMP/bin/pkg-config" <<EOF
#!/bin/sh
for a; do case \$a in libbpf*) exit 1 ;; esac; done
exec $(command -v pkg-config) "\$@"
EOF
chmod 755 "$TMP/bin/pkg-config"
# mk ARGS...: make in the copy, with none of the settings (SANITIZE=,
# BPF=, MAKEFLAGS…) of a make that runs this test
mk() { env -i PATH="$PATH" HOME="$HOME" make -C "$T" -j2 "$@" >"$TMP/out" 2>&1; }
ps=$T/build/portscope
nsrc=$(ls "$T"/src/*.c "$T"/src/*/*.c | grep -vc /src/bpf/)
ncc() { grep -c '^  CC      src/' "$TMP/out"; }

PATH=$TMP/bin:$PATH mk
check_eq "without libbpf: make succeeds" "$?" 0
check_grep "without libbpf: make says BPF is left out, and why" "$TMP/out" \
	'^portscope: building without BPF \(libbpf not found\)$'
check_eq "without libbpf: one line about left-out parts" "$(grep -c '^portscope: building' "$TMP/out")" 1
"$ps" --version >"$TMP/v"
check_grep "without libbpf: --version says bpf: no" "$TMP/v" '^bpf: no$'

mk
if grep -q '^portscope: building without BPF' "$TMP/out"; then
	skip "with libbpf: make rebuilds with BPF" "this machine cannot build BPF: $(grep '^portscope: building' "$TMP/out")"
else
	check_eq "with libbpf: make succeeds" "$(tail -n 3 "$TMP/out" | grep -c 'Error')" 0
	check_eq "with libbpf: every source is compiled again" "$(ncc)" "$nsrc"
	"$ps" --version >"$TMP/v"
	check_grep "with libbpf: --version says bpf: yes" "$TMP/v" '^bpf: yes$'
	"$ps" local --owners bpf --tcp >/dev/null 2>"$TMP/e"
	check_nogrep "with libbpf: --owners bpf is not refused as missing from the build" "$TMP/e" 'without BPF'
fi

mk
check_eq "the same configuration again: nothing is compiled" "$(ncc)" 0
check_nogrep "the same configuration again: nothing is linked" "$TMP/out" '^  LINK'

mk CFLAGS="-g -DPORTSCOPE_TEST_FLAG"
check_eq "CFLAGS changed: every source is compiled again" "$(ncc)" "$nsrc"
check_grep "CFLAGS changed: the configuration records it" "$T/build/config" 'PORTSCOPE_TEST_FLAG'
mk CFLAGS="-g -DPORTSCOPE_TEST_FLAG" LDFLAGS="-Wl,-O1"
check_eq "LDFLAGS changed: nothing is compiled" "$(ncc)" 0
check_grep "LDFLAGS changed: the binary is linked again" "$TMP/out" '^  LINK    build/portscope$'

mk BPF=0
check_grep "BPF=0: make says BPF is left out because of BPF=0" "$TMP/out" \
	'^portscope: building without BPF \(BPF=0\)$'
check_eq "BPF=0: every source is compiled again" "$(ncc)" "$nsrc"
"$ps" --version >"$TMP/v"
check_grep "BPF=0: --version says bpf: no" "$TMP/v" '^bpf: no$'
"$ps" local --owners bpf >/dev/null 2>"$TMP/e"
check_grep "BPF=0: --owners bpf says the build has no BPF" "$TMP/e" 'without BPF'
