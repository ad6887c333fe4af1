// SPDX-License-Identifier: ISC
/* The control socket: listening socket setup, the non-blocking server, the tsyncctl client. */
#include "daemon/control/control.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "discipline/discipline.h"

#define CONTROL_BACKLOG      16
#define CONTROL_REQUEST_SIZE (sizeof(struct msg_header) + sizeof(struct msg_source_ref))
#define CONTROL_REPLY_SIZE   (sizeof(struct msg_header) + sizeof(struct msg_snapshot))

struct control_client {
    int fd;               /* -1: free slot */
    uint32_t rx_seq;      /* next request seq expected */
    uint32_t tx_seq;      /* seq of the next snapshot sent */
    uint64_t serial;      /* accept order: the smallest is the oldest */
    double last_active_s; /* monotonic time of the accept or the last request */
};

struct control {
    int listen_fd;
    uint64_t next_serial;
    struct control_client clients[CONTROL_MAX_CLIENTS];
    struct msg_snapshot starting; /* served before the parent sent a snapshot */
};

/* --- Listening socket ---------------------------------------------------------------------- */

static int fill_sockaddr(const char *path, struct sockaddr_un *sun, char *err, size_t errlen)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (path[0] == '\0' || strlen(path) >= sizeof(sun->sun_path)) {
        snprintf(err, errlen, "control socket path \"%s\" is empty or too long", path);
        return -1;
    }
    memcpy(sun->sun_path, path, strlen(path) + 1);
    return 0;
}

/* Create the directory holding path (only the last level) if it does not exist. */
static int make_parent_dir(const char *path, char *err, size_t errlen)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    char *slash;

    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
        return 0;
    *slash = '\0';
    /* chmod: the umask must not hide the socket from the users it is meant for. */
    if ((mkdir(dir, 0755) == 0 && chmod(dir, 0755) == 0) || errno == EEXIST)
        return 0;
    snprintf(err, errlen, "cannot create directory %s: %s", dir, strerror(errno));
    return -1;
}

/* Remove a socket left by a dead daemon; refuse to remove anything else or a live socket. */
static int remove_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
    struct stat st;
    int fd, rc;

    if (lstat(sun->sun_path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", sun->sun_path, strerror(errno));
        return -1;
    }
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a socket", sun->sun_path);
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
    close(fd);
    if (rc == 0 || errno == EAGAIN) {
        snprintf(err, errlen, "%s: another daemon is listening", sun->sun_path);
        return -1;
    }
    if (unlink(sun->sun_path) < 0 && errno != ENOENT) {
        snprintf(err, errlen, "cannot remove stale %s: %s", sun->sun_path, strerror(errno));
        return -1;
    }
    return 0;
}

int control_listen(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sun;
    int fd;

    if (fill_sockaddr(path, &sun, err, errlen) < 0 || make_parent_dir(path, err, errlen) < 0 ||
        remove_stale(&sun, err, errlen) < 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    if (bind(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
        snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    /* Every local user may read the daemon's state (like ntpq); no request changes it. */
    if (chmod(path, 0666) < 0 || listen(fd, CONTROL_BACKLOG) < 0) {
        snprintf(err, errlen, "chmod/listen %s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    return fd;
}

/* --- Server -------------------------------------------------------------------------------- */

void control_starting_snapshot(struct msg_snapshot *snap)
{
    memset(snap, 0, sizeof(*snap));
    snap->sync_state = MSG_SYNC_UNSYNCHRONISED;
    snap->sync_reason = DISC_SYNC_STARTING;
    snap->leap = DISC_LEAP_UNSYNC;
    snap->stratum = 16;
    snap->sys_peer_slot = -1;
    msg_copy_str(snap->reason, sizeof(snap->reason), "daemon starting");
}

struct control *control_create(int listen_fd)
{
    struct control *ctl;
    int i;

    if (listen_fd < 0)
        return NULL;
    ctl = calloc(1, sizeof(*ctl));
    if (ctl == NULL)
        return NULL;
    ctl->listen_fd = listen_fd;
    for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
        ctl->clients[i].fd = -1;
    control_starting_snapshot(&ctl->starting);
    return ctl;
}

static void client_close(struct control_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

void control_destroy(struct control *ctl)
{
    int i;

    if (ctl == NULL)
        return;
    for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
        client_close(&ctl->clients[i]);
    close(ctl->listen_fd);
    free(ctl);
}

int control_pollfds(const struct control *ctl, struct pollfd *fds, int max)
{
    int i, n = 0;

    if (n < max)
        fds[n++] = (struct pollfd){.fd = ctl->listen_fd, .events = POLLIN};
    for (i = 0; i < CONTROL_MAX_CLIENTS && n < max; i++) {
        if (ctl->clients[i].fd >= 0)
            fds[n++] = (struct pollfd){.fd = ctl->clients[i].fd, .events = POLLIN};
    }
    return n;
}

int control_nclients(const struct control *ctl)
{
    int i, n = 0;

    for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
        n += ctl->clients[i].fd >= 0;
    return n;
}

int control_timeout_ms(const struct control *ctl, double now_s)
{
    double soonest = -1;
    int i;

    for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        const struct control_client *c = &ctl->clients[i];
        double left_s = c->last_active_s + CONTROL_IDLE_TIMEOUT_S - now_s;

        if (c->fd >= 0 && (soonest < 0 || left_s < soonest))
            soonest = left_s > 0 ? left_s : 0;
    }
    /* Round up so that the deadline has passed when poll() returns. */
    return soonest < 0 ? -1 : (int)(soonest * 1000.0) + 1;
}

/* A free slot, or the oldest connection's slot after closing it. */
static struct control_client *free_slot(struct control *ctl)
{
    struct control_client *oldest = NULL;
    int i;

    for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        struct control_client *c = &ctl->clients[i];

        if (c->fd < 0)
            return c;
        if (oldest == NULL || c->serial < oldest->serial)
            oldest = c;
    }
    log_debug("control: %d connections open, dropping the oldest", CONTROL_MAX_CLIENTS);
    client_close(oldest);
    return oldest;
}

static void accept_clients(struct control *ctl, double now_s)
{
    int i;

    /* Bounded so that a flood of connections cannot hold the event loop. */
    for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        struct control_client *c;
        int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                log_warning("control: accept: %s", strerror(errno));
            return;
        }
        c = free_slot(ctl);
        *c = (struct control_client){.fd = fd,
                                     .rx_seq = 1,
                                     .tx_seq = 1,
                                     .serial = ctl->next_serial++,
                                     .last_active_s = now_s};
    }
}

/* Read one request and answer it; closes the connection on EOF, error or malformed input. */
static void serve_client(struct control_client *c, const struct msg_snapshot *snap, double now_s)
{
    uint8_t buf[CONTROL_REQUEST_SIZE + 1];
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    struct msg_header hdr;
    const void *payload;
    char err[128] = "not a request"; /* msg_validate() replaces it on failure */
    ssize_t n;

    n = recvmsg(c->fd, &mh, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        client_close(c);
        return;
    }
    if ((mh.msg_flags & MSG_TRUNC) ||
        msg_validate(buf, (size_t)n, &c->rx_seq, &hdr, &payload, err, sizeof(err)) < 0 ||
        hdr.type != MSG_CTL_REQUEST) {
        log_debug("control: malformed request (%s), connection closed",
                  mh.msg_flags & MSG_TRUNC ? "too long" : err);
        client_close(c);
        return;
    }
    c->last_active_s = now_s;
    /* A client that does not read its answers fills its buffer: drop it, never wait. */
    if (msg_send(c->fd, MSG_SNAPSHOT, &c->tx_seq, snap, sizeof(*snap)) < 0)
        client_close(c);
}

static struct control_client *find_client(struct control *ctl, int fd)
{
    int i;

    for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        if (ctl->clients[i].fd >= 0 && ctl->clients[i].fd == fd)
            return &ctl->clients[i];
    }
    return NULL;
}

void control_handle(struct control *ctl, const struct pollfd *fds, int n,
                    const struct msg_snapshot *snap, double now_s)
{
    bool listen_ready = false;
    int i;

    if (snap == NULL)
        snap = &ctl->starting;
    /* Connections first: accepting may reuse a descriptor number that fds[] still reports. */
    for (i = 0; i < n; i++) {
        struct control_client *c;

        if (fds[i].revents == 0)
            continue;
        if (fds[i].fd == ctl->listen_fd) {
            listen_ready = (fds[i].revents & POLLIN) != 0;
            continue;
        }
        c = find_client(ctl, fds[i].fd);
        if (c == NULL)
            continue;
        if (fds[i].revents & POLLIN)
            serve_client(c, snap, now_s);
        else
            client_close(c); /* POLLHUP, POLLERR, POLLNVAL */
    }
    for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
        struct control_client *c = &ctl->clients[i];

        if (c->fd >= 0 && now_s - c->last_active_s >= CONTROL_IDLE_TIMEOUT_S)
            client_close(c);
    }
    if (listen_ready)
        accept_clients(ctl, now_s);
}

/* --- Client -------------------------------------------------------------------------------- */

static double monotonic_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Wait until fd is readable or the deadline passes: 1 readable, 0 timeout, -1 error. */
static int wait_readable(int fd, double deadline_s)
{
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        double left_s = deadline_s - monotonic_s();
        int rc;

        if (left_s <= 0)
            return 0;
        rc = poll(&pfd, 1, (int)(left_s * 1000.0) + 1);
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

static int connect_to(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sun;
    int fd;

    if (fill_sockaddr(path, &sun, err, errlen) < 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
        snprintf(err, errlen, "cannot connect to %s: %s", path,
                 errno == EAGAIN ? "daemon busy" : strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Receive and validate the snapshot answering request seq 1. */
static int read_snapshot(int fd, double deadline_s, struct msg_snapshot *snap, char *err,
                         size_t errlen)
{
    uint8_t buf[CONTROL_REPLY_SIZE + 1];
    struct msg_header hdr;
    const void *payload;
    uint32_t seq = 1;
    int ready;
    ssize_t n;

    ready = wait_readable(fd, deadline_s);
    if (ready <= 0) {
        snprintf(err, errlen, "%s",
                 ready == 0 ? "no answer from the daemon (timeout)" : "poll failed");
        return -1;
    }
    n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n <= 0) {
        snprintf(err, errlen, "the daemon closed the connection%s%s", n < 0 ? ": " : "",
                 n < 0 ? strerror(errno) : "");
        return -1;
    }
    if (msg_validate(buf, (size_t)n, &seq, &hdr, &payload, err, errlen) < 0)
        return -1;
    if (hdr.type != MSG_SNAPSHOT) {
        snprintf(err, errlen, "unexpected answer of type %u", hdr.type);
        return -1;
    }
    memcpy(snap, payload, sizeof(*snap));
    return 0;
}

int control_query(const char *path, int timeout_ms, struct msg_snapshot *snap, char *err,
                  size_t errlen)
{
    struct msg_source_ref req = {0};
    double deadline_s = monotonic_s() + timeout_ms / 1000.0;
    uint32_t seq = 1;
    int fd, rc;

    fd = connect_to(path, err, errlen);
    if (fd < 0)
        return -1;
    if (msg_send(fd, MSG_CTL_REQUEST, &seq, &req, sizeof(req)) < 0) {
        snprintf(err, errlen, "cannot send to %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    rc = read_snapshot(fd, deadline_s, snap, err, errlen);
    close(fd);
    return rc;
}
