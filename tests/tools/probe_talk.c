/*
 * probe_talk: hold one probe's whole conversation with a server using
 * plain blocking sockets, outside the query engine, and print what the
 * probe found.  Used to record real replies for the fuzz corpora and unit
 * tests (-s DIR saves each reply as DIR/stepN.bin) and by the end-to-end
 * tests of the probes themselves.
 *
 *   probe_talk [-c COMMUNITY] [-s DIR] [-S STEP] [-t MS] [-x XID] NAME ADDR PORT
 *
 * NAME may be "tcp" or "udp" for the probe of that protocol on PORT (the
 * rpc probe has both).  -S starts at a later step (IKEv1: -S 1), -x fixes
 * the conversation id
 * so that recorded replies match what the fuzz harnesses expect.
 *
 * Prints "status: done|malformed|silent", "reason: …", the text lines and
 * "json: {…}"; exits 0 when a probe finished (done), 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "query/probe.h"

static int
save(const char *dir, unsigned step, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	if (dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/step%u.bin", dir, step);
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	fwrite(p, 1, n, f);
	return fclose(f);
}

static void
finish(const char *status, const struct probe *pr, struct probe_report *r)
{
	printf("status: %s\nreason: %s\n", status, r->reason);
	fwrite(buf_str(&r->text), 1, r->text.len, stdout);
	printf("json: {\"%s\":{%s}}\n", pr->name, buf_str(&r->json));
}

int
main(int argc, char **argv)
{
	const struct probe *pr;
	struct probe_ctx ctx;
	struct probe_report r;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct buf out, in;
	const char *dir = NULL;
	int c, fd, timeout = 1500, tries, rc, connected;
	enum probe_status st = PROBE_MALFORMED;
	uint8_t chunk[65536];

	memset(&ctx, 0, sizeof(ctx));
	ctx.community = "public";
	ctx.xid = (uint32_t)getpid() * 2654435761u;
	while ((c = getopt(argc, argv, "c:S:s:t:x:")) != -1) {
		switch (c) {
		case 'c': ctx.community = optarg; break;
		case 's': dir = optarg; break;
		case 'S': ctx.step = (unsigned)atoi(optarg); break;
		case 't': timeout = atoi(optarg); break;
		case 'x': ctx.xid = (uint32_t)strtoul(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	/* NAME "tcp" or "udp": the probe of that protocol for PORT */
	if (argc - optind == 3 && (strcmp(argv[optind], "tcp") == 0 ||
	    strcmp(argv[optind], "udp") == 0))
		pr = probe_find(argv[optind][0] == 't' ? IPPROTO_TCP :
		    IPPROTO_UDP, (uint16_t)atoi(argv[optind + 2]));
	else
		pr = argc - optind == 3 ? probe_named(argv[optind]) : NULL;
	if (pr == NULL) {
		fprintf(stderr, "usage: probe_talk [-c C] [-s DIR] NAME ADDR PORT\n");
		return 2;
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[optind + 1],
	    &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(atoi(argv[optind + 2]));
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, argv[optind + 1],
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(atoi(argv[optind + 2]));
		sl = sizeof(struct sockaddr_in6);
	} else
		return 2;
	ctx.family = ss.ss_family;
	ctx.host = argv[optind + 1];
	probe_report_init(&r);
	buf_init(&out);
	buf_init(&in);
	fd = socket(ss.ss_family, pr->proto == IPPROTO_TCP ? SOCK_STREAM :
	    SOCK_DGRAM, 0);
	connected = !(pr->flags & PROBE_F_ANY_SRCPORT);
	if (fd == -1 || (connected && connect(fd, (struct sockaddr *)&ss, sl))) {
		perror("connect");
		return 2;
	}
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		buf_reset(&out);
		buf_reset(&in);
		if ((rc = pr->build(&ctx, &out)) == -1)
			return 2;
		for (tries = 0; tries < (pr->proto == IPPROTO_TCP ? 1 : 2); tries++) {
			if (rc == 0 && (connected ? send(fd, out.data, out.len, 0) :
			    sendto(fd, out.data, out.len, 0, (struct sockaddr *)&ss,
			    sl)) == -1) {
				perror("send");
				return 2;
			}
			st = PROBE_MORE;
			while (st == PROBE_MORE && poll(&pfd, 1, timeout) == 1) {
				ssize_t n = recv(fd, chunk, sizeof(chunk), 0);

				if (n <= 0) {
					if (n < 0)
						printf("recv: %s\n", strerror(errno));
					st = PROBE_MALFORMED;
					if (n == 0 && in.len == 0)
						st = PROBE_MORE;
					break;
				}
				buf_add(&in, chunk, (size_t)n);
				save(dir, ctx.step, in.data, in.len);
				if (pr->proto == IPPROTO_UDP)
					st = pr->parse(&ctx, (uint8_t *)chunk, (size_t)n, &r);
				else
					st = pr->parse(&ctx, (uint8_t *)in.data, in.len, &r);
			}
			if (st != PROBE_MORE || in.len > 0)
				break;
		}
		if (st == PROBE_MORE && in.len == 0) {
			st = pr->silence != NULL ? pr->silence(&ctx, &r) :
			    PROBE_MALFORMED;
			if (st == PROBE_NEXT) {
				ctx.step++;
				continue;
			}
			if (st == PROBE_DONE)
				break;
			finish("silent", pr, &r);
			return 1;
		}
		if (st != PROBE_NEXT)
			break;
		ctx.step++;
	}
	finish(st == PROBE_DONE ? "done" : "malformed", pr, &r);
	if (pr->release != NULL)
		pr->release(&ctx);
	close(fd);
	probe_report_release(&r);
	buf_release(&out);
	buf_release(&in);
	return st == PROBE_DONE ? 0 : 1;
}
