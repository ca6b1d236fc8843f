# tests/run.sh itself: on a tree of fixture tests with known outcomes, it
# counts passes, failures and skips apart and ends with exactly
# "N passed, N failed, N skipped"; a skip (lib.sh's skip/need_root/need_bpf,
# cmocka's skip(), a unit test make left out with an optional part) is
# never a pass; a pattern that matches nothing, a unit test or fuzz harness
# without its binary, a script that dies or says nothing are failures.
. "$(dirname "$0")/lib.sh"
top=${PORTSCOPE_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$TMP/top
mkdir -p "$T/tests/cli" "$T/tests/unit" "$T/tests/fuzz" "$T/build/tests/unit"
cp "$top/tests/run.sh" "$T/tests/"
cp "$top/tests/cli/lib.sh" "$T/tests/cli/"
# the binary the fixtures ask whether it has BPF
printf '#!/bin/sh\nprintf "portscope 0\\nbpf: no\\n"\n' >"$T/build/portscope"
chmod 755 "$T/build/portscope"

# unit tests: real cmocka programs (one pass, one skip, one failure)
cat >"$T/tests/unit/test_mixed.c" <<'EOF'
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
static void passes(void **s) { (void)s; assert_int_equal(1, 1); }
static void skips(void **s) { (void)s; skip(); }
static void fails(void **s) { (void)s; assert_int_equal(1, 2); }
int main(void)
{
	const struct CMUnitTest t[] = { cmocka_unit_test(passes),
	    cmocka_unit_test(skips), cmocka_unit_test(fails) };
	return cmocka_run_group_tests(t, NULL, NULL);
}
EOF
cc -o "$T/build/tests/unit/test_mixed" "$T/tests/unit/test_mixed.c" -lcmocka 2>"$TMP/cc"
check "a cmocka fixture builds" test -x "$T/build/tests/unit/test_mixed"
cp "$T/tests/unit/test_mixed.c" "$T/tests/unit/test_unbuilt.c"	# no binary
echo 'int x;' >"$T/tests/fuzz/fuzz_unbuilt.c"			# no replay binary
cp "$T/tests/unit/test_mixed.c" "$T/tests/unit/test_leftout.c"	# left out by make
echo "tests/unit/test_leftout.c" >"$T/build/not-built"

# end-to-end fixtures
fixture() { { echo '. "$(dirname "$0")/lib.sh"'; cat; } >"$T/tests/cli/$1"; }
fixture two_pass.sh <<'EOF'
check "true is true" true
check_eq "one is one" 1 1
EOF
fixture skips.sh <<'EOF'
ok "a pass"
skip "a check that cannot run here" "no such thing"
if need_bpf "a check that needs BPF"; then ok "BPF was there"; fi
EOF
fixture one_fail.sh <<'EOF'
ok "a pass"
check_eq "a failure" 1 2
EOF
fixture dies.sh <<'EOF'
ok "a pass"
exit 3
EOF
fixture silent.sh <<'EOF'
:
EOF
fixture rootonly.sh <<'EOF'
if [ "$(id -u)" -eq 0 ]; then
	rm -rf "$TMP"	# root's; the pass as nobody makes its own
	exec setpriv --reuid=65534 --regid=65534 --clear-groups bash "$0"
fi
need_root "root-only checks"
ok "ran as root"
EOF
chmod -R a+rX "$T"
chmod a+rwx "$T/build"

# run PATTERN...: the closing line of tests/run.sh build PATTERN..., and its status
run() { bash "$T/tests/run.sh" build "$@" >"$TMP/out" 2>&1; rc=$?; last=$(tail -n 1 "$TMP/out"); }

run two_pass
check_eq "passes only: closing line" "$last" "2 passed, 0 failed, 0 skipped"
check_eq "passes only: status 0" "$rc" 0
run skips
check_eq "skip and need_bpf (built without BPF) are skips" "$last" "1 passed, 0 failed, 2 skipped"
check_eq "skips: status 0" "$rc" 0
run rootonly
check_eq "need_root when not root is a skip" "$last" "0 passed, 0 failed, 1 skipped"
check_eq "need_root skipped: status 0" "$rc" 0
run one_fail
check_eq "a failed check" "$last" "1 passed, 1 failed, 0 skipped"
check_eq "a failed check: status 1" "$rc" 1
run dies
check_eq "a script that exits non-zero without 'not ok' fails" "$last" "1 passed, 1 failed, 0 skipped"
run silent
check_eq "a script that reports nothing fails" "$last" "0 passed, 1 failed, 0 skipped"
run test_mixed
check_eq "cmocka: a pass, a skip and a failure" "$last" "1 passed, 1 failed, 1 skipped"
run test_unbuilt
check_eq "a unit test that was not built fails" "$last" "0 passed, 1 failed, 0 skipped"
check_grep "it says which binary is missing" "$TMP/out" "build/tests/unit/test_unbuilt was not built"
run test_leftout
check_eq "a unit test that make left out with its optional part is a skip" "$last" "0 passed, 0 failed, 1 skipped"
run fuzz_unbuilt
check_eq "a fuzz harness without its replay binary fails" "$last" "0 passed, 1 failed, 0 skipped"
run no_such_test
check_eq "a pattern that matches nothing fails" "$last" "0 passed, 1 failed, 0 skipped"
check_grep "it says which pattern" "$TMP/out" "no test matches 'no_such_test'"
run two_pass no_such_test
check_eq "one of two patterns matches nothing" "$last" "2 passed, 1 failed, 0 skipped"
check_eq "...status 1" "$rc" 1
run
check_eq "everything" "$last" "6 passed, 6 failed, 5 skipped"
check_eq "the closing line is the only line of its form" \
	"$(grep -cE '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$TMP/out")" 1
