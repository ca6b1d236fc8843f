/* The local report's table and statistics (localtext.h). */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "output/localtext.h"
#include "output/text.h"

/* The addresses and the remote port: the order after proto and port. */
static int
cmp_ends(const struct sock_row *x, const struct sock_row *y)
{
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((c = memcmp(x->laddr, y->laddr, 16)) != 0)
		return c;
	if ((c = memcmp(x->raddr, y->raddr, 16)) != 0)
		return c;
	return x->rport < y->rport ? -1 : x->rport > y->rport;
}

int
localtext_cmp_proto(const void *a, const void *b)
{
	const struct sock_row *x = *(const struct sock_row *const *)a;
	const struct sock_row *y = *(const struct sock_row *const *)b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->lport != y->lport)
		return x->lport < y->lport ? -1 : 1;
	return cmp_ends(x, y);
}

int
localtext_cmp_port(const void *a, const void *b)
{
	const struct sock_row *x = *(const struct sock_row *const *)a;
	const struct sock_row *y = *(const struct sock_row *const *)b;

	if (x->lport != y->lport)
		return x->lport < y->lport ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return cmp_ends(x, y);
}

void
localtext_header(struct buf *b, const char *indent, int with_pid)
{
	buf_puts(b, indent);
	if (with_pid)
		text_col(b, "PID", 8);
	text_col(b, "Port", 11);
	text_col(b, "Local IP", 24);
	text_col(b, "State", 15);
	buf_puts(b, "Remote IP:Port\n");
}

void
localtext_row(struct buf *b, const struct sock_row *r, const char *indent,
    pid_t pid, unsigned style)
{
	char port[24];
	struct buf addr;

	buf_puts(b, indent);
	if (pid > 0) {
		snprintf(port, sizeof(port), "%d", (int)pid);
		text_col(b, port, 8);
	}
	snprintf(port, sizeof(port), "%s %u", sock_proto_label(r), r->lport);
	text_col(b, port, 11);
	buf_init(&addr);
	sock_addr(&addr, r->family, r->laddr);
	text_col(b, buf_str(&addr), 24);
	/* PortQry's UDP rows have no state (issue 10) */
	text_col(b, (style & LT_PORTQRY) && r->proto != IPPROTO_TCP ? "" :
	    sock_state_label(r), 15);
	if (r->proto != IPPROTO_TCP && r->rport == 0)
		buf_puts(b, "*:*");
	else
		sock_endpoint(b, r->family, r->raddr, r->rport);
	buf_putc(b, '\n');
	buf_release(&addr);
}

void
localtext_stats(struct buf *b, const struct sock_row *const *rows, size_t n,
    const char *indent, unsigned style)
{
	/* local's own order, and PortQry's: LISTENING, ESTABLISHED, CLOSE
	 * WAIT, TIME WAIT (issue 10); then the other states */
	static const int local_order[] = { TCP_TIME_WAIT, TCP_CLOSE_WAIT,
	    TCP_LISTEN, TCP_ESTABLISHED, TCP_SYN_SENT, TCP_SYN_RECV,
	    TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LAST_ACK, TCP_CLOSING, TCP_CLOSE };
	static const int portqry_order[] = { TCP_LISTEN, TCP_ESTABLISHED,
	    TCP_CLOSE_WAIT, TCP_TIME_WAIT, TCP_SYN_SENT, TCP_SYN_RECV,
	    TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LAST_ACK, TCP_CLOSING, TCP_CLOSE };
	const int *order = style & LT_PORTQRY ? portqry_order : local_order;
	size_t counts[16] = { 0 }, tcp = 0, udp = 0, raw = 0, i;
	struct sock_row fake = { .proto = IPPROTO_TCP };
	char label[64];

	for (i = 0; i < n; i++) {
		if (rows[i]->proto == IPPROTO_UDP)
			udp++;
		else if (rows[i]->proto != IPPROTO_TCP)
			raw++;
		else {
			tcp++;
			counts[sock_state_canonical(rows[i]->state) & 15]++;
		}
	}
	buf_printf(b, "%sTCP mappings: %zu\n%sUDP mappings: %zu\n", indent, tcp,
	    indent, udp);
	if (raw > 0)
		buf_printf(b, "%sRAW mappings: %zu\n", indent, raw);
	buf_putc(b, '\n');
	for (i = 0; i < sizeof(local_order) / sizeof(local_order[0]); i++) {
		if (counts[order[i]] == 0 && (i >= 4 || (style & LT_SKIP_ZERO)))
			continue;
		fake.state = (uint8_t)order[i];
		snprintf(label, sizeof(label), "TCP ports in a %s state:",
		    sock_state_label(&fake));
		buf_puts(b, indent);
		text_col(b, label, 40);
		buf_printf(b, "%zu = %.2f%%\n", counts[order[i]],
		    tcp ? 100.0 * (double)counts[order[i]] / (double)tcp : 0.0);
	}
}
