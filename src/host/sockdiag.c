#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "host/sockdiag.h"
#include "util/xmalloc.h"

/* The kernel fills at most 32 KiB per read of a dump; a larger buffer costs
 * nothing and keeps us correct if that ever grows. */
#define SD_RCVBUF	(64 * 1024)

struct sockdiag {
	struct mnl_socket	*nl;
	unsigned		 portid;
	unsigned		 seq;
	char			*rx;
};

struct dump_ctx {
	struct sock_vec	*out;
	uint8_t		 proto;
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
	sd->seq = (unsigned)time(NULL);
	sd->rx = xmalloc(SD_RCVBUF);
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
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
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
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 1024;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof(*sv->v));
	}
	r = &sv->v[sv->n++];
	r->inode = m->idiag_inode;
	r->uid = m->idiag_uid;
	r->rqueue = m->idiag_rqueue;
	r->wqueue = m->idiag_wqueue;
	r->owner = OWNER_NONE;
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
	return MNL_CB_OK;
}

/* One dump request for one (family, protocol). */
static int
dump_one(struct sockdiag *sd, int family, uint8_t proto, uint32_t states,
    int port, struct sock_vec *out, char *err, size_t errlen)
{
	char req[256];
	uint8_t bc[20];
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *r;
	struct dump_ctx ctx = { out, proto };
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
	if (port >= 0)
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE,
		    sockdiag_port_bytecode((uint16_t)port, bc), bc);

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
		rc = mnl_cb_run(sd->rx, (size_t)n, sd->seq, sd->portid, dump_cb, &ctx);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc == MNL_CB_ERROR) {
			/* A kernel without UDP diag answers ENOENT: no sockets. */
			if (errno == ENOENT && proto == IPPROTO_UDP)
				return 0;
			snprintf(err, errlen, "sock_diag dump: %s", strerror(errno));
			return -1;
		}
	}
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
		    out, err, errlen) == -1)
			return -1;
	}
	return 0;
}
