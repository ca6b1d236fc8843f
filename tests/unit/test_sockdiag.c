/* sock_diag against the running kernel: the port filter, and asking
 * whether a socket seen in a dump still exists (TCP and UDP, IPv4 and
 * IPv6, open and closed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/sockdiag.h"

/* A socket of type on the loopback of family, bound to an ephemeral port;
 * for TCP, listening.  Returns the fd and sets *port. */
static int
loopback_socket(int family, int type, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	}
	fd = socket(family, type, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static int in_own_netns;	/* set by own_netns() below */

static void
check_exists(int family, int type)
{
	struct sockdiag_query q = {
		.protos = type == SOCK_STREAM ? SD_TCP : SD_UDP,
		.families = family == AF_INET ? SD_V4 : SD_V6,
		.tcp_states = ~0u, .udp_states = ~0u,
	};
	struct sock_vec sv = { NULL, 0, 0 };
	struct sockdiag *sd;
	char err[256];
	uint16_t port;
	int fd;

	if (!in_own_netns)
		skip();
	fd = loopback_socket(family, type, &port);
	q.port = port;
	assert_non_null(sd = sockdiag_open(err, sizeof(err)));
	assert_int_equal(sockdiag_dump(sd, &q, &sv, err, sizeof(err)), 0);
	/* the port filter found ours only: in a network namespace of our
	 * own nothing else can use that port as either end */
	assert_int_equal(sv.n, 1);
	assert_int_equal(sv.v[0].lport, port);
	assert_int_equal(sv.v[0].family, family);
	assert_int_equal(sockdiag_exists(sd, &sv.v[0]), 1);
	close(fd);
	assert_int_equal(sockdiag_exists(sd, &sv.v[0]), 0);
	sock_vec_release(&sv);
	sockdiag_close(sd);
}

static void test_tcp4(void **state) { (void)state; check_exists(AF_INET, SOCK_STREAM); }
static void test_tcp6(void **state) { (void)state; check_exists(AF_INET6, SOCK_STREAM); }
static void test_udp4(void **state) { (void)state; check_exists(AF_INET, SOCK_DGRAM); }
static void test_udp6(void **state) { (void)state; check_exists(AF_INET6, SOCK_DGRAM); }

/* Run in a network namespace of our own with loopback up, so that no
 * other socket on the machine can share the port the filter looks for.
 * Without the right to make one (not root) the tests are skipped. */
static int
own_netns(void **state)
{
	struct ifreq ifr;
	int fd;

	(void)state;
	if (unshare(CLONE_NEWNET) == -1)
		return errno == EPERM ? 0 : -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    ioctl(fd, SIOCGIFFLAGS, &ifr) == -1)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) == -1)
		return -1;
	close(fd);
	in_own_netns = 1;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4),
		cmocka_unit_test(test_tcp6),
		cmocka_unit_test(test_udp4),
		cmocka_unit_test(test_udp6),
	};

	return cmocka_run_group_tests(tests, own_netns, NULL);
}
