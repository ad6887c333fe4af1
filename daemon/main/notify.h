// SPDX-License-Identifier: ISC
/*
 * systemd's notification protocol (prefix notify_): READY=1, STATUS=... datagrams to the socket
 * named by $NOTIFY_SOCKET (a path or an abstract name starting with '@'). The socket is
 * connected at start, before chroot, so it keeps working afterwards. Without $NOTIFY_SOCKET
 * every call is a no-op.
 */
#ifndef TSYNC_DAEMON_NOTIFY_H
#define TSYNC_DAEMON_NOTIFY_H

/* Connect to $NOTIFY_SOCKET if set (and unset it so children do not inherit it). Returns 0,
 * or -1 with errno when the variable is set but unusable (logged by the caller). */
int notify_open(void);
/* Send "KEY=value\n..." text (printf-style). */
void notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The fd in use (-1 if none): kept open across fork/chroot by the parent. */
int notify_fd(void);

#endif
