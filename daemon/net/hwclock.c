// SPDX-License-Identifier: ISC
/* Hardware timestamping: enabling it on NICs (parent) and converting NIC time (child). */
#include "daemon/net/hwclock.h"

#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "hwts/hwtstamp.h"
#include "hwts/phc.h"
#include "hwts/sock.h"
#include "hwts/tsinfo.h"

void hwclock_link_up(const struct hwclock_set *set, const char *ifname)
{
    struct ts_hw_state st;
    struct ts_info info;
    int i, sock, rc;
    for (i = 0; i < set->n && strcmp(set->clocks[i].ifname, ifname) != 0; i++)
        ;
    if (i == set->n || ts_info_get(ifname, &info) < 0)
        return;
    sock = sk_udp_open(AF_INET);
    rc = sock < 0 ? -errno : ts_hw_enable(&ts_hw_kernel_ops, &sock, ifname, &info, &st);
    if (sock >= 0)
        close(sock);
    if (rc < 0)
        log_warning("hwtimestamp %s: cannot enable again after link up: %s", ifname, strerror(-rc));
    else
        log_info("hwtimestamp %s: enabled again after link up (TX %s, RX %s)", ifname,
                 st.tx ? "on" : "off", st.rx ? "on" : "off");
}

static void enable_interface(const char *ifname, bool explicit_name, struct hwclock_set *set)
{
    struct ts_info info;
    struct ts_hw_state st;
    struct hwclock *h;
    int sock, rc, err = 0;

    if (set->n >= HWCLOCK_MAX || ts_info_get(ifname, &info) < 0 ||
        (!ts_info_hw_tx(&info) && !ts_info_hw_rx(&info)) || info.phc_index < 0) {
        if (explicit_name)
            log_warning("hwtimestamp %s: no hardware timestamping; kernel timestamps are used",
                        ifname);
        return;
    }
    sock = sk_udp_open(AF_INET);
    rc = sock < 0 ? -errno : ts_hw_enable(&ts_hw_kernel_ops, &sock, ifname, &info, &st);
    if (sock >= 0)
        close(sock);
    if (rc < 0) {
        log_warning("hwtimestamp %s: cannot enable: %s", ifname, strerror(-rc));
        return;
    }
    h = &set->clocks[set->n];
    h->phc = phc_open(ifname, &err);
    if (h->phc == NULL) {
        log_warning("hwtimestamp %s: cannot open its PHC: %s", ifname,
                    strerror(err < 0 ? -err : err));
        return;
    }
    phc_set_readings(h->phc, HWCLOCK_READINGS);
    phc_reg_init(&h->reg, PHC_REG_MAX_POINTS);
    h->if_index = sk_if_index(ifname);
    snprintf(h->ifname, sizeof(h->ifname), "%s", ifname);
    h->next_sample = 0;
    set->n++;
    log_info("hwtimestamp %s: hardware timestamps TX %s, RX %s (filter %d), PHC %d", ifname,
             st.tx ? "on" : "off", st.rx ? "on" : "off", st.rx_filter, info.phc_index);
}

void hwclock_setup(const struct cfg *cfg, struct hwclock_set *set)
{
    size_t i;

    memset(set, 0, sizeof(*set));
    for (i = 0; i < cfg->n_hwts; i++) {
        if (strcmp(cfg->hwts[i].iface, "*") != 0) {
            enable_interface(cfg->hwts[i].iface, true, set);
            continue;
        }
        struct if_nameindex *all = if_nameindex(), *it;
        for (it = all; it != NULL && it->if_index != 0; it++) {
            if (strcmp(it->if_name, "lo") != 0)
                enable_interface(it->if_name, false, set);
        }
        if_freenameindex(all);
    }
}

void hwclock_close(struct hwclock_set *set)
{
    int i;

    for (i = 0; i < set->n; i++)
        phc_close(set->clocks[i].phc);
    set->n = 0;
}

/* The host CLOCK_REALTIME and CLOCK_MONOTONIC_RAW read together, ns. */
static void read_real_raw(int64_t *real_ns, int64_t *raw_ns)
{
    struct timespec real, raw;

    clock_gettime(CLOCK_MONOTONIC_RAW, &raw);
    clock_gettime(CLOCK_REALTIME, &real);
    *real_ns = (int64_t)real.tv_sec * 1000000000 + real.tv_nsec;
    *raw_ns = (int64_t)raw.tv_sec * 1000000000 + raw.tv_nsec;
}

static struct timespec timespec_of_ns(int64_t ns)
{
    struct timespec t = {.tv_sec = (time_t)(ns / 1000000000), .tv_nsec = (long)(ns % 1000000000)};

    if (t.tv_nsec < 0) {
        t.tv_nsec += 1000000000;
        t.tv_sec--;
    }
    return t;
}

static int64_t ns_of_timespec(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* A PHC can jump (a driver resets it on a link reset, ptp4l steps it): readings far off the
 * fit, HWCLOCK_JUMP_CONFIRM in a row, start the fit again rather than bending it for minutes.
 * The fit is against a clock nobody steers, so only the PHC itself can make them. */
static void add_reading(struct hwclock *h, const struct timespec *phc, const struct timespec *raw,
                        double error_s)
{
    struct timespec predicted;

    if (h->reg.n_points >= 2 && phc_reg_to_sys(&h->reg, phc, &predicted) == 0 &&
        fabs((double)(ns_of_timespec(&predicted) - ns_of_timespec(raw)) * 1e-9) >
            HWCLOCK_JUMP_S + error_s) {
        if (++h->far_readings < HWCLOCK_JUMP_CONFIRM)
            return;
        log_notice("hwtimestamp %s: the NIC clock jumped; measuring it again", h->ifname);
        phc_reg_reset(&h->reg);
    }
    h->far_readings = 0;
    phc_reg_add(&h->reg, phc, raw, error_s);
}

/* One PHC reading, its system time moved to the raw scale with the realtime/raw pair read just
 * before (the reading takes microseconds: the two clocks' rates differ by parts per million). */
static void sample_clock(struct hwclock *h)
{
    struct phc_sample ps;
    int64_t real_ns, raw_ns;

    read_real_raw(&real_ns, &raw_ns);
    if (phc_sample(h->phc, &ps) != 0)
        return;
    struct timespec raw = timespec_of_ns(raw_ns + (ns_of_timespec(&ps.sys) - real_ns));
    add_reading(h, &ps.phc, &raw, ps.error_s);
}

double hwclock_poll(struct hwclock_set *set, double now)
{
    double next = HWCLOCK_SAMPLE_INTERVAL_S;
    int i;

    for (i = 0; i < set->n; i++) {
        struct hwclock *h = &set->clocks[i];

        if (now >= h->next_sample) {
            h->next_sample = now + HWCLOCK_SAMPLE_INTERVAL_S;
            sample_clock(h);
        }
        next = fmin(next, h->next_sample - now);
    }
    return next;
}

/* PHC time -> raw (the fit) -> host CLOCK_REALTIME (a pair read now: the stamp is at most
 * milliseconds old, so the clocks' rate difference does not matter). */
bool hwclock_to_host(const struct hwclock_set *set, int if_index, const struct timespec *raw,
                     struct timespec *host)
{
    int i;

    for (i = 0; i < set->n; i++) {
        const struct hwclock *h = &set->clocks[i];
        struct timespec mono_raw;
        int64_t real_ns, raw_ns;

        if (!((h->if_index == if_index || (if_index == 0 && set->n == 1)) && h->reg.n_points >= 2))
            continue;
        if (phc_reg_to_sys(&h->reg, raw, &mono_raw) != 0)
            return false;
        read_real_raw(&real_ns, &raw_ns);
        *host = timespec_of_ns(real_ns + (ns_of_timespec(&mono_raw) - raw_ns));
        return true;
    }
    return false;
}
