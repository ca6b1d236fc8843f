/* Unit tests: the named port sets (query/portsets.c). */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "query/portsets.h"

static int
has(const struct portset *s, int proto, uint16_t port)
{
	size_t i;

	for (i = 0; i < s->nports; i++)
		if (s->ports[i].proto == proto && s->ports[i].port == port)
			return 1;
	return 0;
}

/* The sets the issue names exist and hold their defining ports. */
static void
test_required_sets(void **state)
{
	static const char *const names[] = { "dns", "domain", "ldap", "rpc",
	    "sql", "mail", "web", "ipsec", "netbios" };
	const struct portset *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_non_null(s = portset_find(names[i]));
		assert_true(s->nports > 0);
	}
	assert_true(has(portset_find("dns"), IPPROTO_UDP, 53));
	assert_true(has(portset_find("domain"), IPPROTO_TCP, 88));
	assert_true(has(portset_find("domain"), IPPROTO_UDP, 389));
	assert_true(has(portset_find("domain"), IPPROTO_TCP, 3268));
	assert_true(has(portset_find("ldap"), IPPROTO_UDP, 389));
	assert_true(has(portset_find("rpc"), IPPROTO_TCP, 135));
	assert_true(has(portset_find("sql"), IPPROTO_UDP, 1434));
	assert_true(has(portset_find("ipsec"), IPPROTO_UDP, 500));
	assert_true(has(portset_find("netbios"), IPPROTO_UDP, 137));
	assert_null(portset_find("DNS"));
	assert_null(portset_find("nope"));
}

/* No set lists a port twice, and every port is in range. */
static void
test_no_duplicates(void **state)
{
	const struct portset *all;
	size_t n, i, j, k;

	(void)state;
	all = portset_all(&n);
	for (i = 0; i < n; i++)
		for (j = 0; j < all[i].nports; j++) {
			assert_true(all[i].ports[j].port > 0);
			for (k = j + 1; k < all[i].nports; k++)
				assert_false(all[i].ports[j].proto ==
				    all[i].ports[k].proto &&
				    all[i].ports[j].port == all[i].ports[k].port);
		}
}

static void
test_list_text(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	portset_list(&b);
	assert_non_null(strstr(buf_str(&b), "sql      SQL Server and its "
	    "browser\n          tcp/1433 udp/1434\n"));
	buf_reset(&b);
	portset_names(&b);
	assert_non_null(strstr(buf_str(&b), "dns, domain, ldap"));
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_sets),
		cmocka_unit_test(test_no_duplicates),
		cmocka_unit_test(test_list_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
