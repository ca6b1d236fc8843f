#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "host/sockdiag.h"
#include "util/clock.h"
#include "util/vec.h"
#include "util/xmalloc.h"

/* The kernel fills at most 32 KiB per read of a dump; a larger buffer costs
 * nothing and keeps us correct if that ever grows. */
#define SD_RCVBUF	(64 * 1024)

struct sockdiag {
	struct mnl_socket	*nl;
	unsigned		 portid;
	unsigned		 seq;
	char			*rx;
	unsigned		 from_procnet;	/* SD_UDP, SD_RAW read from /proc/net */
	int			 no_udp_diag;	/* test: behave as without udp_diag */
};

struct dump_ctx {
	struct sock_vec	*out;
	uint8_t		 proto;
	int		 info;
};

struct sockdiag *
sockdiag_open(char *err, size_t errlen)
{
	struct sockdiag *sd;

	sd = xcalloc(1, sizeof(*sd));
	if ((sd->nl = mnl_socket_open(NETLINK_SOCK_DIAG)) == NULL) {
		snprintf(err, errlen, "cannot open sock_diag netlink socket: %s",
		    strerror(errno));
		free(sd);
		return NULL;
	}
	if (mnl_socket_bind(sd->nl, 0, MNL_SOCKET_AUTOPID) == -1) {
		snprintf(err, errlen, "cannot bind sock_diag netlink socket: %s",
		    strerror(errno));
		mnl_socket_close(sd->nl);
		free(sd);
		return NULL;
	}
	sd->portid = mnl_socket_get_portid(sd->nl);
	sd->seq = (unsigned)(clock_real_ns() / NSEC_PER_SEC);
	sd->rx = xmalloc(SD_RCVBUF);
	/* hidden, for tests: as on a kernel built without udp_diag */
	sd->no_udp_diag = getenv("PORTSCOPE_TEST_NO_UDP_DIAG") != NULL;
	return sd;
}

void
sockdiag_close(struct sockdiag *sd)
{
	if (sd == NULL)
		return;
	mnl_socket_close(sd->nl);
	free(sd->rx);
	free(sd);
}

void
sock_vec_release(struct sock_vec *sv)
{
	VEC_FREE(sv);
}

unsigned
sockdiag_from_procnet(const struct sockdiag *sd)
{
	return sd->from_procnet;
}

size_t
sockdiag_port_bytecode(uint16_t port, void *ops)
{
	/*
	 * Each op jumps `yes` bytes when its condition holds, `no` bytes when
	 * not (JMP always takes `no`); landing exactly on the end accepts,
	 * landing 4 past it rejects.  The kernel's audit insists that every
	 * jump target lies on the chain of `yes` jumps from the start, hence
	 * the JMP instead of a direct jump to the end.
	 *   0: S_EQ  yes→8  no→12
	 *   4:       port
	 *   8: JMP   yes→12 no→20 (accept)
	 *  12: D_EQ  yes→20 (accept)  no→24 (reject)
	 *  16:       port
	 */
	struct inet_diag_bc_op op[5] = {
		{ INET_DIAG_BC_S_EQ, 8, 12 },
		{ 0, 0, port },
		{ INET_DIAG_BC_JMP, 4, 12 },
		{ INET_DIAG_BC_D_EQ, 8, 12 },
		{ 0, 0, port },
	};

	memcpy(ops, op, sizeof(op));
	return sizeof(op);
}

/* The byte counters of a TCP socket from its INET_DIAG_INFO attribute
 * (struct tcp_info; older kernels send a shorter one).  Sent is
 * tcpi_bytes_sent (data only, Linux 4.19+), else tcpi_bytes_acked (which
 * also counts the SYN and FIN). */
static void
tcp_info_bytes(const struct nlmsghdr *nlh, struct sock_row *r)
{
	const struct nlattr *a;
	const char *p;
	size_t len;

	mnl_attr_for_each(a, nlh, sizeof(struct inet_diag_msg)) {
		if (mnl_attr_get_type(a) != INET_DIAG_INFO)
			continue;
		p = mnl_attr_get_payload(a);
		len = mnl_attr_get_payload_len(a);
		if (len >= offsetof(struct tcp_info, tcpi_bytes_sent) + 8)
			memcpy(&r->bytes_sent, p + offsetof(struct tcp_info, tcpi_bytes_sent), 8);
		else if (len >= offsetof(struct tcp_info, tcpi_bytes_acked) + 8)
			memcpy(&r->bytes_sent, p + offsetof(struct tcp_info, tcpi_bytes_acked), 8);
		if (len >= offsetof(struct tcp_info, tcpi_bytes_received) + 8)
			memcpy(&r->bytes_received,
			    p + offsetof(struct tcp_info, tcpi_bytes_received), 8);
		return;
	}
}

static int
dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *ctx = arg;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct sock_vec *sv = ctx->out;
	struct sock_row *r;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return MNL_CB_OK;
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return MNL_CB_OK;
	r = VEC_PUSH(sv);
	r->inode = m->idiag_inode;
	r->uid = m->idiag_uid;
	r->rqueue = m->idiag_rqueue;
	r->wqueue = m->idiag_wqueue;
	r->owner = OWNER_NONE;
	r->cookie[0] = m->id.idiag_cookie[0];
	r->cookie[1] = m->id.idiag_cookie[1];
	r->lport = ntohs(m->id.idiag_sport);
	r->rport = ntohs(m->id.idiag_dport);
	r->proto = ctx->proto;
	r->family = m->idiag_family;
	r->state = m->idiag_state;
	r->missing = OWNER_NOT_SCANNED;
	if (m->idiag_family == AF_INET) {
		memcpy(r->laddr, m->id.idiag_src, 4);
		memcpy(r->raddr, m->id.idiag_dst, 4);
		memset(r->laddr + 4, 0, 12);
		memset(r->raddr + 4, 0, 12);
	} else {
		memcpy(r->laddr, m->id.idiag_src, 16);
		memcpy(r->raddr, m->id.idiag_dst, 16);
	}
	r->bytes_sent = r->bytes_received = 0;
	if (ctx->info)
		tcp_info_bytes(nlh, r);
	return MNL_CB_OK;
}

/* Parse hex words as the kernel prints addresses in /proc/net: each 32-bit
 * word of the address, as the number it is in memory.  Returns 0 or -1. */
static int
procnet_addr(const char *hex, uint8_t *out, size_t len)
{
	char word[9];
	uint32_t w;
	size_t i;

	if (strlen(hex) != len * 2)
		return -1;
	for (i = 0; i < len / 4; i++) {
		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		w = (uint32_t)strtoul(word, NULL, 16);
		memcpy(out + i * 4, &w, 4);
	}
	return 0;
}

/*
 * Sockets of one protocol from /proc/net/{udp,udp6,raw,raw6}, for kernels
 * built without udp_diag or raw_diag (sock_diag then answers ENOENT).  The
 * state and port filters are applied here, as the kernel would have.  The
 * rows have no cookie (both words all ones, as sock_diag's "no cookie").
 */
static int
procnet_read(int family, uint8_t proto, uint32_t states, int port,
    struct sock_vec *out)
{
	char line[512], laddr[40], raddr[40], path[32];
	unsigned lport, rport, st, txq, rxq, uid;
	unsigned long long inode;
	struct sock_row *r;
	size_t alen = family == AF_INET ? 4 : 16;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/net/%s%s",
	    proto == IPPROTO_UDP ? "udp" : "raw", family == AF_INET ? "" : "6");
	if ((f = fopen(path, "re")) == NULL)
		return 0;	/* no such sockets to be seen */
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %x:%x "
		    "%*x:%*x %*x %u %*d %llu", laddr, &lport, raddr, &rport, &st,
		    &txq, &rxq, &uid, &inode) != 9)
			continue;	/* the header */
		if (st > 31 || !(states & (1u << st)))
			continue;
		if (port >= 0 && (int)lport != port && (int)rport != port)
			continue;
		r = VEC_PUSH(out);
		if (procnet_addr(laddr, r->laddr, alen) == -1 ||
		    procnet_addr(raddr, r->raddr, alen) == -1) {
			out->n--;
			continue;
		}
		r->inode = inode;
		r->uid = uid;
		r->rqueue = rxq;
		r->wqueue = txq;
		r->owner = OWNER_NONE;
		r->cookie[0] = r->cookie[1] = UINT32_MAX;
		r->lport = (uint16_t)lport;
		r->rport = (uint16_t)rport;
		r->proto = proto;
		r->family = (uint8_t)family;
		r->state = (uint8_t)st;
		r->missing = OWNER_NOT_SCANNED;
	}
	fclose(f);
	return 0;
}

/* NLMSG_DONE may carry an error (ENOENT: no diag module for the protocol). */
static int
done_cb(const struct nlmsghdr *nlh, void *arg)
{
	int e;

	(void)arg;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(e)) {
		memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
		if (e < 0) {
			errno = -e;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

/* One dump request for one (family, protocol). */
static int
dump_one(struct sockdiag *sd, int family, uint8_t proto, uint32_t states,
    int port, int info, struct sock_vec *out, char *err, size_t errlen)
{
	char req[256];
	uint8_t bc[20];
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *r;
	struct dump_ctx ctx = { out, proto, info && proto == IPPROTO_TCP };
	static mnl_cb_t ctl_cb[NLMSG_DONE + 1] = { [NLMSG_DONE] = done_cb };
	ssize_t n;
	int rc;

	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++sd->seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = (uint8_t)family;
	r->sdiag_protocol = proto;
	r->idiag_states = states;
	if (ctx.info)
		r->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (port >= 0)
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE,
		    sockdiag_port_bytecode((uint16_t)port, bc), bc);
	if (proto == IPPROTO_UDP && sd->no_udp_diag) {
		sd->from_procnet |= SD_UDP;
		return procnet_read(family, proto, states, port, out);
	}

	if (mnl_socket_sendto(sd->nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "sock_diag request: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		n = mnl_socket_recvfrom(sd->nl, sd->rx, SD_RCVBUF);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "sock_diag read: %s", strerror(errno));
			return -1;
		}
		rc = mnl_cb_run2(sd->rx, (size_t)n, sd->seq, sd->portid, dump_cb, &ctx,
		    ctl_cb, NLMSG_DONE + 1);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc == MNL_CB_ERROR) {
			/* A kernel without udp_diag or raw_diag answers
			 * ENOENT: those sockets are read from /proc. */
			if (errno == ENOENT && (proto == IPPROTO_RAW || proto == IPPROTO_UDP)) {
				sd->from_procnet |= proto == IPPROTO_UDP ? SD_UDP : SD_RAW;
				return procnet_read(family, proto, states, port, out);
			}
			snprintf(err, errlen, "sock_diag dump: %s", strerror(errno));
			return -1;
		}
	}
}

static int
exists_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	*(int *)arg = 1;
	return MNL_CB_OK;
}

/* Build in req a request of type (SOCK_DIAG_BY_FAMILY, SOCK_DESTROY) for
 * exactly the socket of row r, by its ends and cookie. */
static struct nlmsghdr *
exact_request(struct sockdiag *sd, char *req, uint16_t type, uint16_t flags,
    const struct sock_row *r)
{
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *q;
	size_t alen = r->family == AF_INET ? 4 : 16;

	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++sd->seq;
	q = mnl_nlmsg_put_extra_header(nlh, sizeof(*q));
	q->sdiag_family = r->family;
	q->sdiag_protocol = r->proto;
	q->idiag_states = ~0u;
	q->id.idiag_cookie[0] = r->cookie[0];
	q->id.idiag_cookie[1] = r->cookie[1];
	/*
	 * TCP looks the socket up by its own (src, dst); UDP looks it up as a
	 * datagram arriving from the peer would, so its ends are swapped.
	 */
	if (r->proto == IPPROTO_TCP) {
		q->id.idiag_sport = htons(r->lport);
		q->id.idiag_dport = htons(r->rport);
		memcpy(q->id.idiag_src, r->laddr, alen);
		memcpy(q->id.idiag_dst, r->raddr, alen);
	} else {
		q->id.idiag_sport = htons(r->rport);
		q->id.idiag_dport = htons(r->lport);
		memcpy(q->id.idiag_src, r->raddr, alen);
		memcpy(q->id.idiag_dst, r->laddr, alen);
	}
	return nlh;
}

int
sockdiag_exists(struct sockdiag *sd, const struct sock_row *r)
{
	char req[256];
	struct nlmsghdr *nlh;
	int found = 0, rc;
	ssize_t n;

	if ((r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP) ||
	    (r->cookie[0] == UINT32_MAX && r->cookie[1] == UINT32_MAX) ||
	    (r->proto == IPPROTO_UDP && sd->no_udp_diag))
		return -1;	/* a row from /proc/net: the kernel cannot be asked */
	nlh = exact_request(sd, req, SOCK_DIAG_BY_FAMILY, 0, r);
	if (mnl_socket_sendto(sd->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do
		n = mnl_socket_recvfrom(sd->nl, sd->rx, SD_RCVBUF);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	rc = mnl_cb_run(sd->rx, (size_t)n, sd->seq, sd->portid, exists_cb, &found);
	if (found)
		return 1;
	/* ENOENT: nothing there; ESTALE: another socket there now */
	if (rc == MNL_CB_ERROR && (errno == ENOENT || errno == ESTALE))
		return 0;
	return -1;
}

int
sockdiag_destroy(struct sockdiag *sd, const struct sock_row *r, char *err,
    size_t errlen)
{
	char req[256];
	struct nlmsghdr *nlh;
	ssize_t n;
	int rc;

	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP) {
		errno = EOPNOTSUPP;
		snprintf(err, errlen, "only TCP and UDP sockets can be closed");
		return -1;
	}
	nlh = exact_request(sd, req, SOCK_DESTROY, NLM_F_ACK, r);
	if (mnl_socket_sendto(sd->nl, nlh, nlh->nlmsg_len) < 0)
		goto fail;
	do
		n = mnl_socket_recvfrom(sd->nl, sd->rx, SD_RCVBUF);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		goto fail;
	rc = mnl_cb_run(sd->rx, (size_t)n, sd->seq, sd->portid, NULL, NULL);
	if (rc != MNL_CB_ERROR)
		return 0;
fail:
	switch (errno) {
	case EOPNOTSUPP:
		snprintf(err, errlen, "this kernel cannot close sockets "
		    "(built without CONFIG_INET_DIAG_DESTROY)");
		break;
	case EPERM:
	case EACCES:
		snprintf(err, errlen, "closing a socket needs CAP_NET_ADMIN (run as root)");
		break;
	case ENOENT:
	case ESTALE:
		snprintf(err, errlen, "the socket is already gone");
		break;
	default:
		snprintf(err, errlen, "SOCK_DESTROY: %s", strerror(errno));
	}
	return -1;
}

int
sockdiag_dump(struct sockdiag *sd, const struct sockdiag_query *q,
    struct sock_vec *out, char *err, size_t errlen)
{
	static const struct { unsigned proto_bit, fam_bit; int family; uint8_t proto; } plan[] = {
		{ SD_TCP, SD_V4, AF_INET, IPPROTO_TCP },
		{ SD_TCP, SD_V6, AF_INET6, IPPROTO_TCP },
		{ SD_UDP, SD_V4, AF_INET, IPPROTO_UDP },
		{ SD_UDP, SD_V6, AF_INET6, IPPROTO_UDP },
		{ SD_RAW, SD_V4, AF_INET, IPPROTO_RAW },
		{ SD_RAW, SD_V6, AF_INET6, IPPROTO_RAW },
	};
	size_t i;
	uint32_t states;

	for (i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		if (!(q->protos & plan[i].proto_bit) || !(q->families & plan[i].fam_bit))
			continue;
		states = plan[i].proto == IPPROTO_TCP ? q->tcp_states : q->udp_states;
		if (states == 0)
			continue;
		if (dump_one(sd, plan[i].family, plan[i].proto, states, q->port,
		    q->info, out, err, errlen) == -1)
			return -1;
	}
	return 0;
}
