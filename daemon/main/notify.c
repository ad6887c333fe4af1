// SPDX-License-Identifier: ISC
/* systemd notification protocol over a connected AF_UNIX datagram socket. */
#include "daemon/main/notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int notify_sock = -1;

int notify_open(void)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    size_t len;
    int fd;

    if (path == NULL || path[0] == '\0')
        return 0;
    len = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sun.sun_path)) {
        errno = EINVAL;
        return -1;
    }
    memcpy(sun.sun_path, path, len);
    if (path[0] == '@')
        sun.sun_path[0] = '\0'; /* abstract namespace */
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sun,
                (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
        close(fd);
        return -1;
    }
    unsetenv("NOTIFY_SOCKET");
    notify_sock = fd;
    return 0;
}

void notify_send(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    if (notify_sock < 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        (void)send(notify_sock, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1,
                   MSG_NOSIGNAL | MSG_DONTWAIT);
}

int notify_fd(void)
{
    return notify_sock;
}
