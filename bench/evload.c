/*
 * Workload and timestamping helper for bench/events (built by it).
 *
 *   evload serve PORT            TCP listener (accept, close) and a bound UDP
 *                                socket on 127.0.0.1:PORT, until killed
 *   evload tcp N PORT HOLD_US    N TCP connections to 127.0.0.1:PORT, each
 *                                held HOLD_US; one line per connection on
 *                                stdout: "tcp PID LPORT T" with T the
 *                                CLOCK_REALTIME ns right after connect()
 *   evload udp N PORT HOLD_US    N UDP sockets, each sends one datagram to
 *                                127.0.0.1:PORT, waits HOLD_US, closes:
 *                                "udp PID LPORT T" (T after sendto())
 *   evload stamp                 copy stdin to stdout, each line prefixed by
 *                                the CLOCK_REALTIME ns it was read at
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static void
pause_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static struct sockaddr_in
loopback(int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int
local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) == -1)
		return 0;
	return ntohs(a.sin_port);
}

static int
serve(int port)
{
	struct sockaddr_in a = loopback(port);
	int ls, us, c, one = 1;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	us = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) == -1 || listen(ls, 4096) == -1 ||
	    bind(us, (struct sockaddr *)&a, sizeof(a)) == -1) {
		perror("evload serve");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if ((c = accept(ls, NULL, NULL)) >= 0)
			close(c);
	}
}

static int
clients(int tcp, int n, int port, long hold_us)
{
	struct sockaddr_in a = loopback(port);
	unsigned long long t;
	int i, fd, pid = (int)getpid();

	for (i = 0; i < n; i++) {
		fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (fd == -1) {
			perror("evload socket");
			return 1;
		}
		if (tcp) {
			if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1) {
				perror("evload connect");
				close(fd);
				continue;
			}
		} else if (sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)) == -1) {
			perror("evload sendto");
			close(fd);
			continue;
		}
		t = now_ns();
		printf("%s %d %d %llu\n", tcp ? "tcp" : "udp", pid, local_port(fd), t);
		if (hold_us)
			pause_us(hold_us);
		close(fd);
	}
	return 0;
}

static int
stamp(void)
{
	static char buf[1 << 16];
	char line[8192];
	size_t ll = 0;
	ssize_t n, i;
	unsigned long long t;

	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		t = now_ns();
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			printf("%llu %s\n", t, line);
			ll = 0;
		}
	}
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "serve") == 0)
		return serve(atoi(argv[2]));
	if (argc >= 5 && (strcmp(argv[1], "tcp") == 0 || strcmp(argv[1], "udp") == 0))
		return clients(argv[1][0] == 't', atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
	if (argc >= 2 && strcmp(argv[1], "stamp") == 0)
		return stamp();
	fprintf(stderr, "usage: evload serve PORT | tcp|udp N PORT HOLD_US | stamp\n");
	return 2;
}
