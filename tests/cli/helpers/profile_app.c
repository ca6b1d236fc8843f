/*
 * The program `portscope profile` tests profile: each port use in a
 * function of its own, so that the profile can be checked to name it.
 *   profile_app run PORT      fetch_updates(): TCP connect to 127.0.0.1:PORT,
 *                             announce(): UDP datagram to 127.0.0.1:PORT+1,
 *                             serve_admin(): listen on 0.0.0.0:PORT+2;
 *                             exits with status 3
 *   profile_app wait PORT     the same after a line on stdin; exits 0
 *   profile_app alternate PORT N
 *                             N TCP connects to 127.0.0.1:PORT, by fetch_updates()
 *                             and poll_status() in turn (the same libc call
 *                             reached from two callers); exits 0
 *   profile_app v6 PORT       IPv6: fetch_updates6(): TCP connect to [::1]:PORT,
 *                             announce6(): UDP datagram to [::1]:PORT+1,
 *                             open_beacon(): UDP bound to [::]:PORT+3;
 *                             exits 0
 *   profile_app daemon PORT   forks twice (a daemon: setsid, parent exits 0);
 *                             the daemon does serve_admin() on PORT+2, accepts
 *                             one connection (at most 20 s) and exits
 * Built by the tests with and without frame pointers, and stripped.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int
addr(struct sockaddr_in *a, const char *ip, int port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((unsigned short)port);
	return inet_pton(AF_INET, ip, &a->sin_addr) == 1 ? 0 : -1;
}

__attribute__((noinline)) int
fetch_updates(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r = -1;

	if (fd >= 0 && addr(&a, "127.0.0.1", port) == 0)
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r;
}

/* Like fetch_updates, with a larger frame of its own. */
__attribute__((noinline)) int
poll_status(int port)
{
	volatile char scratch[200];
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r = -1;

	scratch[0] = (char)port;
	if (fd >= 0 && addr(&a, "127.0.0.1", port) == 0)
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r + scratch[0] - (char)port;
}

__attribute__((noinline)) int
announce(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	ssize_t r = -1;

	if (fd >= 0 && addr(&a, "127.0.0.1", port) == 0)
		r = sendto(fd, "hello", 5, 0, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r == 5 ? 0 : -1;
}

/* Listen on port; returns the socket, or -1. */
__attribute__((noinline)) int
serve_admin(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || addr(&a, "0.0.0.0", port) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1 || listen(fd, 4) == -1) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
addr6(struct sockaddr_in6 *a, const char *ip, int port)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_port = htons((unsigned short)port);
	return inet_pton(AF_INET6, ip, &a->sin6_addr) == 1 ? 0 : -1;
}

__attribute__((noinline)) int
fetch_updates6(int port)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, SOCK_STREAM, 0), r = -1;

	if (fd >= 0 && addr6(&a, "::1", port) == 0)
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r;
}

__attribute__((noinline)) int
announce6(int port)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	ssize_t r = -1;

	if (fd >= 0 && addr6(&a, "::1", port) == 0)
		r = sendto(fd, "hello", 5, 0, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r == 5 ? 0 : -1;
}

/* A UDP socket bound to [::]:port (a service port, never sent from). */
__attribute__((noinline)) int
open_beacon(int port)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), r = -1;

	if (fd >= 0 && addr6(&a, "::", port) == 0)
		r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r;
}

static int
work(int port)
{
	int rc = 0, fd;

	rc |= fetch_updates(port);
	rc |= announce(port + 1);
	if ((fd = serve_admin(port + 2)) == -1)
		rc = -1;
	else
		close(fd);
	return rc;
}

int
main(int argc, char **argv)
{
	struct pollfd pf;
	char line[16];
	int port, fd, c;

	if (argc == 4 && strcmp(argv[1], "alternate") == 0) {
		int i, n = atoi(argv[3]), bad = 0;

		port = atoi(argv[2]);
		for (i = 0; i < n; i++)
			bad |= (i % 2 ? poll_status(port) : fetch_updates(port)) != 0;
		return bad;
	}
	if (argc != 3 || (port = atoi(argv[2])) <= 0 || port > 65532) {
		fprintf(stderr, "usage: profile_app run|wait|v6|daemon PORT | alternate PORT N\n");
		return 64;
	}
	if (strcmp(argv[1], "run") == 0)
		return work(port) == 0 ? 3 : 1;
	if (strcmp(argv[1], "v6") == 0)
		return fetch_updates6(port) == 0 && announce6(port + 1) == 0 &&
		    open_beacon(port + 3) == 0 ? 0 : 1;
	if (strcmp(argv[1], "wait") == 0) {
		if (fgets(line, sizeof(line), stdin) == NULL)
			return 1;
		return work(port) == 0 ? 0 : 1;
	}
	if (strcmp(argv[1], "daemon") == 0) {
		if (fork() != 0)
			return 0;
		setsid();
		if (fork() != 0)
			_exit(0);
		if ((fd = serve_admin(port + 2)) == -1)
			_exit(1);
		pf.fd = fd;
		pf.events = POLLIN;
		if (poll(&pf, 1, 20000) == 1 && (c = accept(fd, NULL, NULL)) >= 0)
			close(c);
		close(fd);
		_exit(0);
	}
	return 64;
}
