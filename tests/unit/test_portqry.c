/* PortQry command-line spellings (src/portqry.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "portqry.h"

/* Normalise the words of s (split at single spaces) and return them
 * joined by '|' in out. */
static const char *
norm(const char *s, char *out, size_t len)
{
	char copy[512], *words[32], *p, **av, err[128];
	int n = 0, nargc, i;

	snprintf(copy, sizeof(copy), "%s", s);
	for (p = strtok(copy, " "); p != NULL; p = strtok(NULL, " "))
		words[n++] = p;
	words[n] = NULL;
	if ((av = portqry_argv(n, words, &nargc, err, sizeof(err))) == NULL) {
		snprintf(out, len, "error: %s", err);
		return out;
	}
	out[0] = '\0';
	for (i = 0; i < nargc; i++) {
		if (i > 0)
			strncat(out, "|", len - strlen(out) - 1);
		strncat(out, av[i], len - strlen(out) - 1);
	}
	assert_null(av[nargc]);
	portqry_argv_free(av, nargc);
	return out;
}

static void
test_spellings(void **state)
{
	char o[512];

	(void)state;
	/* -cn !my community name! unquoted: the words joined back */
	assert_string_equal(norm("portscope -n h -p udp -e 161 -cn !my community name! -q", o, sizeof(o)),
	    "portscope|-n|h|-p|udp|-e|161|-cn|!my community name!|-q");
	assert_string_equal(norm("p -cn !public! -n h", o, sizeof(o)),
	    "p|-cn|!public!|-n|h");
	assert_string_equal(norm("p -cn ! spaced ! -n h", o, sizeof(o)),
	    "p|-cn|! spaced !|-n|h");
	assert_string_equal(norm("p -n h -cn !open community", o, sizeof(o)),
	    "error: -cn: the community '!open community' has no closing '!'");
	/* -o with ';' */
	assert_string_equal(norm("p -n h -o 135;139;445", o, sizeof(o)),
	    "p|-n|h|-o|135,139,445");
	/* -y without -l ignored; -q -l adds -y; -y with -l kept once */
	assert_string_equal(norm("p -n h -y", o, sizeof(o)), "p|-n|h");
	assert_string_equal(norm("p -n h -q -l f", o, sizeof(o)),
	    "p|-n|h|-q|-l|f|-y");
	assert_string_equal(norm("p -n h -q -l f -y", o, sizeof(o)),
	    "p|-n|h|-q|-l|f|-y");
	assert_string_equal(norm("p -n h -l f", o, sizeof(o)), "p|-n|h|-l|f");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
