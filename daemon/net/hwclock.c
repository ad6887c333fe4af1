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

void hwclock_reset(struct hwclock_set *set)
{
    int i;

    for (i = 0; i < set->n; i++) {
        phc_reg_reset(&set->clocks[i].reg);
        set->clocks[i].next_sample = 0; /* a new pair at once */
    }
}

/* A PHC can jump (a driver resets it on a link reset, ptp4l steps it): a reading far off the
 * fit starts the fit again rather than bending it for minutes. */
static void add_reading(struct hwclock *h, const struct phc_sample *ps)
{
    struct timespec predicted;

    if (h->reg.n_points >= 2 && phc_reg_to_sys(&h->reg, &ps->phc, &predicted) == 0 &&
        fabs((double)(predicted.tv_sec - ps->sys.tv_sec) +
             (predicted.tv_nsec - ps->sys.tv_nsec) * 1e-9) > HWCLOCK_JUMP_S) {
        log_notice("hwtimestamp %s: the NIC clock jumped; measuring it again", h->ifname);
        phc_reg_reset(&h->reg);
    }
    phc_reg_add(&h->reg, &ps->phc, &ps->sys, ps->error_s);
}

double hwclock_poll(struct hwclock_set *set, double now)
{
    double next = HWCLOCK_SAMPLE_INTERVAL_S;
    struct phc_sample ps;
    int i;

    for (i = 0; i < set->n; i++) {
        struct hwclock *h = &set->clocks[i];

        if (now >= h->next_sample) {
            h->next_sample = now + HWCLOCK_SAMPLE_INTERVAL_S;
            if (phc_sample(h->phc, &ps) == 0)
                add_reading(h, &ps);
        }
        next = fmin(next, h->next_sample - now);
    }
    return next;
}

bool hwclock_to_host(const struct hwclock_set *set, int if_index, const struct timespec *raw,
                     struct timespec *host)
{
    int i;

    for (i = 0; i < set->n; i++) {
        const struct hwclock *h = &set->clocks[i];

        if ((h->if_index == if_index || (if_index == 0 && set->n == 1)) && h->reg.n_points >= 2)
            return phc_reg_to_sys(&h->reg, raw, host) == 0;
    }
    return false;
}
