#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "query/errqueue.h"

int
qerr_read(int fd, struct qerr *e)
{
	union {
		char	buf[512];
		struct cmsghdr align;
	} cbuf;
	struct sock_extended_err ee;
	struct cmsghdr *c;
	struct msghdr m;
	struct iovec iov;
	char data[64];

	memset(&m, 0, sizeof(m));
	iov.iov_base = data;
	iov.iov_len = sizeof(data);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf.buf;
	m.msg_controllen = sizeof(cbuf.buf);
	if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) == -1)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		memcpy(&ee, CMSG_DATA(c), sizeof(ee));
		e->origin = ee.ee_origin == SO_EE_ORIGIN_ICMP ? QERR_ICMP4 :
		    ee.ee_origin == SO_EE_ORIGIN_ICMP6 ? QERR_ICMP6 : QERR_LOCAL;
		e->type = ee.ee_type;
		e->code = ee.ee_code;
		e->errnum = (int)ee.ee_errno;
		return 0;
	}
	return -1;
}

int
qerr_verdict(const struct qerr *e, enum verdict *v, char *reason, size_t len)
{
	switch (e->origin) {
	case QERR_ICMP4:
		*v = verdict_from_icmp(ICMP_ORIGIN_V4, e->type, e->code,
		    reason, len);
		return 0;
	case QERR_ICMP6:
		*v = verdict_from_icmp(ICMP_ORIGIN_V6, e->type, e->code,
		    reason, len);
		return 0;
	case QERR_LOCAL:
		break;
	}
	snprintf(reason, len, "local error: %s", strerror(e->errnum));
	return -1;
}
