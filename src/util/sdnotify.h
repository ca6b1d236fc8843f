/* systemd's service notification (sd_notify(3)) over its documented
 * socket protocol: a datagram of "KEY=VALUE" lines to $NOTIFY_SOCKET.
 * Without that variable (not started by systemd) nothing is sent. */
#ifndef UTIL_SDNOTIFY_H
#define UTIL_SDNOTIFY_H

/* Send msg ("READY=1", "STATUS=…", "STOPPING=1").  Returns 1 when sent, 0
 * when there is no notification socket, -1 with errno on failure. */
int	sdnotify(const char *msg);

#endif
