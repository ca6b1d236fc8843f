/*
 * bench/profile's client: N TCP connections to 127.0.0.1:PORT, one after
 * the other, each made by fetch_updates() (connect, then close).  Prints
 * "elapsed SECONDS" (the N connections only, CLOCK_MONOTONIC), "cpu
 * SECONDS" (its user + system time, kernel programs run for its system
 * calls included) and "connected N".  The server: conn_client serve PORT (accept and close
 * until killed).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in target;

__attribute__((noinline)) static int
fetch_updates(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	if (fd < 0)
		return -1;
	r = connect(fd, (struct sockaddr *)&target, sizeof(target));
	close(fd);
	return r;
}

static int
serve(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), c, one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	target.sin_family = AF_INET;
	target.sin_port = htons((unsigned short)port);
	target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&target, sizeof(target)) == -1 || listen(fd, 4096) == -1) {
		perror("serve");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		if ((c = accept(fd, NULL, NULL)) >= 0)
			close(c);
}

int
main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int n, port, i, ok = 0;

	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return serve(atoi(argv[2]));
	if (argc != 3 || (n = atoi(argv[1])) <= 0 || (port = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: conn_client N PORT | serve PORT\n");
		return 64;
	}
	target.sin_family = AF_INET;
	target.sin_port = htons((unsigned short)port);
	target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		if (fetch_updates() == 0)
			ok++;
	clock_gettime(CLOCK_MONOTONIC, &b);
	getrusage(RUSAGE_SELF, &ru);
	printf("elapsed %.6f\ncpu %.6f\nconnected %d\n", (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9, (double)(ru.ru_utime.tv_sec +
	    ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
	    ok);
	return ok == n ? 0 : 1;
}
