#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <strings.h>

#include "host/sock.h"

static const char *const kernel_names[] = {
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECV] = "SYN_RECV",
	[TCP_FIN_WAIT1] = "FIN_WAIT1",
	[TCP_FIN_WAIT2] = "FIN_WAIT2",
	[TCP_TIME_WAIT] = "TIME_WAIT",
	[TCP_CLOSE] = "CLOSE",
	[TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_LAST_ACK] = "LAST_ACK",
	[TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING",
	[TCP_NEW_SYN_RECV] = "SYN_RECV",
	[TCP_BOUND_INACTIVE] = "CLOSE",
};

static const char *const portqry_names[] = {
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_SYN_SENT] = "SYN SENT",
	[TCP_SYN_RECV] = "SYN RECEIVED",
	[TCP_FIN_WAIT1] = "FIN WAIT1",
	[TCP_FIN_WAIT2] = "FIN WAIT2",
	[TCP_TIME_WAIT] = "TIME WAIT",
	[TCP_CLOSE] = "CLOSED",
	[TCP_CLOSE_WAIT] = "CLOSE WAIT",
	[TCP_LAST_ACK] = "LAST ACK",
	[TCP_LISTEN] = "LISTENING",
	[TCP_CLOSING] = "CLOSING",
	[TCP_NEW_SYN_RECV] = "SYN RECEIVED",
	[TCP_BOUND_INACTIVE] = "CLOSED",
};

#define NSTATES (sizeof(kernel_names) / sizeof(kernel_names[0]))

const char *
sock_state_name(const struct sock_row *s)
{
	if (s->proto != IPPROTO_TCP && s->state == TCP_CLOSE)
		return "UNCONN";
	if (s->state < NSTATES && kernel_names[s->state])
		return kernel_names[s->state];
	return "UNKNOWN";
}

const char *
sock_state_label(const struct sock_row *s)
{
	if (s->proto != IPPROTO_TCP && s->state == TCP_CLOSE)
		return "UNCONN";
	if (s->state < NSTATES && portqry_names[s->state])
		return portqry_names[s->state];
	return "UNKNOWN";
}

/* Compare a and b ignoring case and treating '-', '_' and ' ' alike. */
static int
state_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int ca = toupper((unsigned char)*a), cb = toupper((unsigned char)*b);
		if (ca == '-' || ca == ' ')
			ca = '_';
		if (cb == '-' || cb == ' ')
			cb = '_';
		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

int
sock_state_parse(const char *name)
{
	size_t i;

	if (state_eq(name, "UNCONN") || state_eq(name, "CLOSED"))
		return TCP_CLOSE;
	if (state_eq(name, "LISTENING"))
		return TCP_LISTEN;
	for (i = 1; i < NSTATES; i++) {
		if (sock_state_canonical((int)i) != (int)i)
			continue;	/* an alias: the name gives its canonical state */
		if (state_eq(name, kernel_names[i]) || state_eq(name, portqry_names[i]))
			return (int)i;
	}
	return -1;
}

int
sock_state_canonical(int state)
{
	switch (state) {
	case TCP_NEW_SYN_RECV:		return TCP_SYN_RECV;
	case TCP_BOUND_INACTIVE:	return TCP_CLOSE;
	default:			return state;
	}
}

const char *
sock_proto_name(const struct sock_row *s)
{
	switch (s->proto) {
	case IPPROTO_TCP:	return "tcp";
	case IPPROTO_UDP:	return "udp";
	default:		return "raw";
	}
}

const char *
sock_proto_label(const struct sock_row *s)
{
	switch (s->proto) {
	case IPPROTO_TCP:	return "TCP";
	case IPPROTO_UDP:	return "UDP";
	default:		return "RAW";
	}
}

const char *
owner_missing_reason(enum owner_missing m)
{
	switch (m) {
	case OWNER_FOUND:	return NULL;
	case OWNER_ORPHAN:	return "no owner";
	case OWNER_DENIED:	return "not permitted";
	case OWNER_EXITED:	return "exited";
	case OWNER_NOT_FOUND:	return "not found";
	case OWNER_CLOSED:	return "closed";
	case OWNER_NOT_SCANNED:	return "not scanned";
	}
	return "unknown";
}

void
sock_addr(struct buf *b, int family, const uint8_t *a)
{
	char tmp[INET6_ADDRSTRLEN];
	unsigned i, v;

	if (family == AF_INET6) {
		inet_ntop(AF_INET6, a, tmp, sizeof(tmp));
		buf_puts(b, tmp);
		return;
	}
	/* IPv4 by hand: this runs for every row of a 100k-socket listing. */
	buf_grow(b, 16);
	for (i = 0; i < 4; i++) {
		v = a[i];
		if (v >= 100)
			b->data[b->len++] = (char)('0' + v / 100);
		if (v >= 10)
			b->data[b->len++] = (char)('0' + v / 10 % 10);
		b->data[b->len++] = (char)('0' + v % 10);
		if (i < 3)
			b->data[b->len++] = '.';
	}
}

void
sock_endpoint(struct buf *b, int family, const uint8_t *a, uint16_t port)
{
	if (family == AF_INET6)
		buf_putc(b, '[');
	sock_addr(b, family, a);
	if (family == AF_INET6)
		buf_putc(b, ']');
	buf_putc(b, ':');
	buf_u64(b, port);
}
