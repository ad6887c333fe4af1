// SPDX-License-Identifier: ISC
/* Start-up work done while privileged: logging, sockets, clock driver, users. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/main/daemon_int.h"
#include "daemon/common/log.h"
#include "hwts/timestamping.h"

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

static int bind_udp(int family, unsigned port, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd, one = 1;

    memset(&ss, 0, sizeof(ss));
    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        len = sizeof(*sin6);
    }
    fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return family == AF_INET6 ? -2 : -1; /* no IPv6: not fatal */
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (server_workers_wanted() > 0) /* the workers' sockets join this one's group */
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;
        close(fd);
        if (family == AF_INET6 && (e == EADDRNOTAVAIL || e == EAFNOSUPPORT))
            return -2;
        snprintf(err, errlen, "cannot bind UDP port %u (%s): %s", port,
                 family == AF_INET ? "IPv4" : "IPv6", strerror(e));
        return -1;
    }
    ts_enable(fd, 0, NULL);
    server_socket_setup(fd);
    return fd;
}

int daemon_bind_servers(const struct cfg *cfg, struct net_fds *fds, char *err, size_t errlen)
{
    static const int families[] = {AF_INET, AF_INET6};
    size_t i;

    fds->nserver = 0;
    if (!daemon_serving(cfg))
        return 0;
    for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
        int fd = bind_udp(families[i], cfg->port, err, errlen);

        if (fd == -1)
            return -1;
        if (fd >= 0)
            fds->server[fds->nserver++] = fd;
    }
    log_info("serving NTP on UDP port %u", cfg->port);
    return 0;
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

/* The unprivileged user: configured (`user`, -u), else the first that exists of tsyncd, ntp,
 * _ntp, nobody. */
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
