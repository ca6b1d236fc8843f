/*
 * Port events as RFC 5424 syslog messages with structured data, sent to
 * the local syslog socket (/dev/log: journald or rsyslog), so a fleet's
 * log pipeline carries them:
 *
 *   <30>1 2026-12-01T22:43:19.123456Z host portscope 1234 connect
 *     [portscope@32473 event="connect" proto="tcp" …] connect tcp
 *     127.0.0.1:40000 -> 127.0.0.2:443 pid 200 (curl) uid 1000
 *
 * Facility daemon; severity info, warning for "lost".  The SD-ID uses the
 * private enterprise number 32473 that RFC 5612 sets aside for
 * documentation and examples: portscope has none of its own.
 */
#ifndef OUTPUT_SYSLOG_H
#define OUTPUT_SYSLOG_H

#include <stdint.h>
#include <sys/types.h>

#include "events/events.h"
#include "host/proc.h"
#include "util/buf.h"

#define SYSLOG_SOCKET	"/dev/log"
#define SYSLOG_SDID	"portscope@32473"

struct syslog_out {
	char		*path;
	int		 fd;		/* -1 while not connected */
	char		 host[256];
	uint64_t	 sent;
	uint64_t	 dropped;	/* not sent: no socket, or it was full */
	int		 last_errno;	/* of the last failure, 0 after a success */
	uint64_t	 retry_ns;	/* monotonic: do not reconnect before */
	struct buf	 msg;
};

/* Prepare to send to path (NULL: /dev/log) and connect.  Returns 0, or -1
 * with the reason in err (the socket is not there or refuses). */
int	syslog_open(struct syslog_out *, const char *path, char *err, size_t errlen);

/* Format one message for e (p: its process's details, or NULL) into b. */
void	syslog_format(struct buf *b, const struct port_event *e, const struct proc_info *p,
	    const char *host, pid_t procid);

/* Send one message without blocking.  Returns 0, or -1 with errno when it
 * was dropped (counted in dropped; a lost connection is retried at most
 * once a second). */
int	syslog_send(struct syslog_out *, const struct port_event *, const struct proc_info *);

void	syslog_close(struct syslog_out *);

#endif
