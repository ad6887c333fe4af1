// SPDX-License-Identifier: ISC
/* Start-up work done while privileged: logging, sockets, clock driver, users. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/main/daemon_int.h"
#include "daemon/common/log.h"
#include "hwts/sock.h"
#include "daemon/control/metrics_server.h"
#include "hwts/timestamping.h"
#include "seccomp/sandbox.h"

int daemon_setup_logging(const struct cfg *cfg, const struct cmd_opts *opts)
{
    log_set_event_mask(cfg->log_mask);
    log_set_ident(cfg->log_ident);
    log_set_level(opts->debug > 0 ? LOG_DEBUG : LOG_INFO);
    if (cfg->logfile != NULL) {
        int rc = log_to_file(cfg->logfile);

        if (rc < 0) {
            fprintf(stderr, "tsyncd: cannot open log file %s: %s\n", cfg->logfile, strerror(-rc));
            return -1;
        }
    } else if (opts->foreground) {
        log_to_stderr();
    } else {
        log_to_syslog();
    }
    return 0;
}

void daemon_set_priority(int priority)
{
    struct sched_param sp = {0};

    if (priority == 0)
        return;
    sp.sched_priority =
        priority == CMD_PRIORITY_HIGH ? sched_get_priority_max(SCHED_FIFO) : priority;
    /* Not a failure when refused: packets are stamped by the kernel or the NIC, so the
     * parent's scheduling delays enter no measurement (tsyncd.service refuses realtime). */
    if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0)
        log_notice("-N/-P: SCHED_FIFO priority %d refused (%m): the parent runs at normal "
                   "priority, which costs no accuracy (packets carry kernel or NIC timestamps)",
                   sp.sched_priority);
    else
        log_info("the privileged process runs at SCHED_FIFO priority %d, its children normally",
                 sp.sched_priority);
}

/* Serving is off until configured (like chrony), except that an ntp.conf with a `restrict
 * default` line without noserve/ignore serves as ntpd does; `local stratum` serves too. */
bool daemon_serving(const struct cfg *cfg)
{
    size_t i;

    if (cfg->n_acls > 0 || cfg->local_stratum > 0)
        return true;
    for (i = 0; i < cfg->n_restricts; i++) {
        if (cfg->restricts[i].kind == CFG_RESTRICT_DEFAULT &&
            !(cfg->restricts[i].flags & (CFG_RES_NOSERVE | CFG_RES_IGNORE)))
            return true;
    }
    return false;
}

/* What one server socket listens on. */
struct listen_spec {
    int family;         /* AF_INET or AF_INET6 */
    const char *addr;   /* address literal, NULL: the wildcard address */
    const char *device; /* SO_BINDTODEVICE interface, NULL: any */
};

static socklen_t listen_address(const struct listen_spec *l, unsigned port,
                                struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (l->family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        if (l->addr != NULL)
            inet_pton(AF_INET, l->addr, &sin->sin_addr);
        return sizeof(*sin);
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    if (l->addr != NULL)
        inet_pton(AF_INET6, l->addr, &sin6->sin6_addr);
    return sizeof(*sin6);
}

/* A bound server socket, -2 when the family or address is unavailable (not fatal), -1 with a
 * message in err for other failures. */
static int bind_udp(const struct listen_spec *l, unsigned port, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t len = listen_address(l, port, &ss);
    int fd, one = 1;

    fd = sk_udp_open(l->family);
    if (fd < 0)
        return l->family == AF_INET6 ? -2 : -1; /* no IPv6: not fatal */
    if (l->family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (server_workers_wanted() > 0) /* the workers' sockets join this one's group */
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if ((l->device != NULL && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, l->device,
                                         (socklen_t)strlen(l->device)) < 0) ||
        bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;
        close(fd);
        if (l->family == AF_INET6 && (e == EADDRNOTAVAIL || e == EAFNOSUPPORT))
            return -2;
        snprintf(err, errlen, "cannot bind UDP port %u (%s%s%s%s): %s", port,
                 l->family == AF_INET ? "IPv4" : "IPv6", l->addr || l->device ? " " : "",
                 l->addr ? l->addr : "", l->device ? l->device : "", strerror(e));
        return -1;
    }
    ts_enable(fd, 0, NULL);
    server_socket_setup(fd);
    return fd;
}

static bool family_wanted(const struct cfg *cfg, int family)
{
    return cfg->ip_family == CFG_FAMILY_ANY ||
           cfg->ip_family == (family == AF_INET ? CFG_FAMILY_IPV4 : CFG_FAMILY_IPV6);
}

/* The sockets to open: the wildcard addresses when serving without -I; else each -I interface
 * or address and the loopback addresses, which also answer mode 6 (ntpq) when not serving. */
static size_t listen_specs(const struct cfg *cfg, struct listen_spec *out, size_t max)
{
    static const struct listen_spec loopback[] = {{AF_INET, "127.0.0.1", NULL},
                                                  {AF_INET6, "::1", NULL}};
    size_t n = 0;
    uint8_t a[16];

    if (daemon_serving(cfg) && cfg->n_listen == 0) {
        out[n++] = (struct listen_spec){AF_INET, NULL, NULL};
        out[n++] = (struct listen_spec){AF_INET6, NULL, NULL};
        return n;
    }
    for (size_t i = 0; daemon_serving(cfg) && i < cfg->n_listen && n + 2 <= max - 2; i++) {
        const char *l = cfg->listen[i];
        if (inet_pton(AF_INET, l, a) == 1)
            out[n++] = (struct listen_spec){AF_INET, l, NULL};
        else if (inet_pton(AF_INET6, l, a) == 1)
            out[n++] = (struct listen_spec){AF_INET6, l, NULL};
        else {
            out[n++] = (struct listen_spec){AF_INET, NULL, l};
            out[n++] = (struct listen_spec){AF_INET6, NULL, l};
        }
    }
    out[n++] = loopback[0];
    out[n++] = loopback[1];
    return n;
}

int daemon_bind_servers(const struct cfg *cfg, struct net_fds *fds, char *err, size_t errlen)
{
    struct listen_spec specs[NET_MAX_SERVER_FDS];
    size_t n = listen_specs(cfg, specs, NET_MAX_SERVER_FDS);
    bool serving = daemon_serving(cfg);

    fds->nserver = 0;
    for (size_t i = 0; i < n; i++) {
        if (!family_wanted(cfg, specs[i].family))
            continue;
        int fd = bind_udp(&specs[i], cfg->port, err, errlen);
        if (fd == -1 && serving)
            return -1;
        if (fd == -1) /* loopback only, for ntpq: not worth failing the start */
            log_warning("mode 6 (ntpq) unavailable on this address: %s", err);
        if (fd >= 0)
            fds->server[fds->nserver++] = fd;
    }
    if (serving)
        log_info("serving NTP on UDP port %u", cfg->port);
    else if (fds->nserver > 0)
        log_info("answering ntpq (mode 6) on the loopback addresses, UDP port %u", cfg->port);
    return 0;
}

int daemon_open_metrics(const struct cfg *cfg, struct net_fds *fds, char *err, size_t errlen)
{
    const struct cfg_observe *o = &cfg->observe;

    fds->metrics = -1;
    if (!o->metrics)
        return 0;
    fds->metrics = metrics_listen(o->metrics_family == CFG_FAMILY_IPV6 ? AF_INET6 : AF_INET,
                                  o->metrics_addr, o->metrics_port, err, errlen);
    return fds->metrics < 0 ? -1 : 0;
}

struct clk *daemon_open_clock(const struct cfg *cfg, char *err, size_t errlen)
{
    struct clk_options o;

    memset(&o, 0, sizeof(o));
    o.kind = cfg->clock == CFG_CLOCK_VIRTUAL ? CLK_VIRTUAL
             : cfg->clock == CFG_CLOCK_NONE  ? CLK_NONE
                                             : CLK_SYSTEM;
    o.max_freq_ppm = cfg->maxslewrate_ppm > 500 ? cfg->maxslewrate_ppm : 0;
    o.virt_initial_offset_s = cfg->clock_offset_s;
    o.virt_freq_error_ppm = cfg->clock_freq_ppm;
    return clk_open(&o, err, errlen);
}

/* The unprivileged user: configured (`user`, -u), else the first that exists of tsyncd (the
 * package's dedicated user, sysusers.d), ntp, _ntp (ntpd's), nobody (see daemon_check_user). */
const char *daemon_pick_user(const struct cfg *cfg)
{
    static const char *const candidates[] = {"tsyncd", "ntp", "_ntp", "nobody"};
    size_t i;

    if (cfg->user != NULL)
        return cfg->user;
    for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        if (getpwnam(candidates[i]) != NULL)
            return candidates[i];
    }
    return NULL;
}

#define NOBODY_UID 65534 /* the kernel's overflow uid; Debian's nobody */

/* Could uid/gid create or replace files in the directory st describes? */
static bool dir_writable_by(const struct stat *st, uid_t uid, gid_t gid)
{
    if (st->st_uid == uid)
        return (st->st_mode & S_IWUSR) != 0;
    if (st->st_gid == gid)
        return (st->st_mode & S_IWGRP) != 0;
    return (st->st_mode & S_IWOTH) != 0;
}

/* Could uid/gid create or replace files in the directory of path? */
static bool file_dir_writable_by(const char *path, uid_t uid, gid_t gid)
{
    struct stat st;
    char *copy = strdup(path);
    bool rc = copy != NULL && stat(dirname(copy), &st) == 0 && dir_writable_by(&st, uid, gid);

    free(copy);
    return rc;
}

/* The NTS server's cookie keys open every client's cookies: `nobody` may not be able to
 * replace them. */
static int check_nts_keys_dir(const struct cfg *cfg, const char *user, uid_t uid, gid_t gid,
                              char *err, size_t errlen)
{
    const char *path = cfg->nts_cookie_file ? cfg->nts_cookie_file : CFG_DEFAULT_NTS_KEYS;

    if (!cfg_nts_server(cfg) || !file_dir_writable_by(path, uid, gid))
        return 0;
    snprintf(err, errlen,
             "user %s is `nobody`, shared with unrelated services, and may write the NTS cookie "
             "keys' directory (%s): any of them could read or replace the keys. Use a "
             "dedicated user (`tsyncd`, created by the package) owning that directory",
             user, path);
    return -1;
}

int daemon_check_user(const struct cfg *cfg, const char *user, char *err, size_t errlen)
{
    struct passwd *pw;
    uid_t uid;
    gid_t gid;

    if (user == NULL) {
        snprintf(err, errlen,
                 "no unprivileged user: create `tsyncd` (the package's sysusers.d "
                 "does) or set `user`");
        return -1;
    }
    if (sbx_lookup_user(user, cfg->group, &uid, &gid, err, errlen) < 0)
        return -1;
    pw = getpwuid(uid);
    if (uid != NOBODY_UID && (pw == NULL || strcmp(pw->pw_name, "nobody")))
        return 0;
    if (check_nts_keys_dir(cfg, user, uid, gid, err, errlen) < 0)
        return -1;
    if (cfg->driftfile == NULL || !file_dir_writable_by(cfg->driftfile, uid, gid))
        return 0;
    snprintf(err, errlen,
             "user %s is `nobody`, shared with unrelated services, and may write the drift "
             "file's directory (%s): any of them could set the clock's frequency. Use a "
             "dedicated user (`tsyncd`, created by the package) owning that directory",
             user, cfg->driftfile);
    return -1;
}

size_t daemon_parent_caps(const struct cfg *cfg, bool watch_links, int keep[2])
{
    size_t n = 0;

    if (cfg->clock == CFG_CLOCK_SYSTEM)
        keep[n++] = CAP_SYS_TIME;
    if (watch_links) /* SIOCSHWTSTAMP again after a link reset, nothing else */
        keep[n++] = CAP_NET_ADMIN;
    return n;
}

/* A small regular file read without following a link or blocking (a FIFO): its text into buf
 * (NUL-terminated), or -1. */
static int read_small_file(int dirfd, const char *name, char *buf, size_t len)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    ssize_t n = -1;

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (off_t)len)
        n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

/* name in dirfd holds text, replaced atomically (a temporary file renamed over it). */
static int write_small_file(int dirfd, const char *name, const char *text)
{
    char tmp[64];
    int fd, rc;

    snprintf(tmp, sizeof(tmp), ".%s.%ld", name, (long)getpid());
    unlinkat(dirfd, tmp, 0);
    fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    rc = write(fd, text, strlen(text)) == (ssize_t)strlen(text) && fsync(fd) == 0 ? 0 : -1;
    if (close(fd) < 0 || rc < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
        int e = errno;
        unlinkat(dirfd, tmp, 0);
        errno = e;
        return -1;
    }
    return fsync(dirfd);
}

bool daemon_grant_big_first_step(const char *rundir, const char *boot_id_path)
{
    char boot_id[64], seen[64];
    int dirfd;
    bool used;

    if (read_small_file(AT_FDCWD, boot_id_path, boot_id, sizeof(boot_id)) < 0 || !*boot_id) {
        log_err("-g refused: cannot read the boot id (%s): %m", boot_id_path);
        return false;
    }
    if (mkdir(rundir, 0755) < 0 && errno != EEXIST) {
        log_err("-g refused: cannot create %s to record its use: %m", rundir);
        return false;
    }
    dirfd = open(rundir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0) {
        log_err("-g refused: %s: %m", rundir);
        return false;
    }
    used = read_small_file(dirfd, "gflag", seen, sizeof(seen)) == 0 && strcmp(seen, boot_id) == 0;
    if (used) {
        log_notice("-g ignored: a start earlier in this boot had it (%s/gflag); a restart does "
                   "not allow a large first correction again",
                   rundir);
    } else if (write_small_file(dirfd, "gflag", boot_id) < 0) {
        log_err("-g refused: cannot record its use in %s/gflag: %m", rundir);
        used = true;
    } else {
        log_info("-g: one large first correction allowed (recorded in %s/gflag for this boot)",
                 rundir);
    }
    close(dirfd);
    return !used;
}

int daemon_write_pidfile(const char *path)
{
    char tmp[4096], buf[32];
    int fd, n;

    if (path == NULL)
        return 0;
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    if (write(fd, buf, (size_t)n) != n || fsync(fd) < 0 || close(fd) < 0) {
        unlink(tmp);
        return -1;
    }
    return rename(tmp, path);
}
