// SPDX-License-Identifier: ISC
/* Reference clocks (PTP hardware clocks) read by the parent itself: a PHC reading is a fixed
 * struct from the kernel, so no untrusted input is involved and a compromised network child
 * cannot forge these samples. Slots MSG_NTP_SLOTS and up are the parent's. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon/parent/parent_int.h"
#include "hwts/phc.h"

#define REFCLOCK_DEFAULT_READINGS 25

static int add_refclock(struct parent *p, size_t i, double now)
{
    const struct cfg_refclock *rc = &p->cfg->refclocks[i];
    struct parent_slot *slot = &p->slots[MSG_NTP_SLOTS + i];
    struct disc_source_config sc = {
        .min_poll = rc->poll < 0 ? 0 : rc->poll,
        .max_poll = rc->poll < 0 ? 0 : rc->poll,
        .prefer = rc->flags & CFG_SRC_PREFER,
        .noselect = rc->flags & CFG_SRC_NOSELECT,
        .is_refclock = true,
        .refid = 0x50484330u + (uint32_t)i, /* "PHC0", "PHC1", ... */
    };
    int err = 0, id;

    p->refclocks[i].phc = phc_open(rc->device, &err);
    if (p->refclocks[i].phc == NULL) {
        log_err("refclock phc %s: %s; the source stays unreachable", rc->device,
                strerror(err < 0 ? -err : err));
    } else {
        phc_set_readings(p->refclocks[i].phc, rc->readings > 0 && rc->readings <= 25
                                                  ? (int)rc->readings
                                                  : REFCLOCK_DEFAULT_READINGS);
    }
    id = disc_add_source(p->disc, &sc);
    if (id < 0)
        return -1;
    memset(slot, 0, sizeof(*slot));
    slot->in_use = true;
    slot->disc_id = id;
    slot->kind = MSG_KIND_REFCLOCK;
    slot->cfg_index = (uint32_t)i;
    slot->first_poll = slot->last_poll = slot->last_reply = -1;
    slot->assoc_id = parent_new_assoc_id(p);
    msg_copy_str(slot->name, sizeof(slot->name), rc->device);
    snprintf(slot->addr, sizeof(slot->addr), "PHC%zu(%.36s)", i, rc->device);
    p->refclocks[i].next_poll = now;
    return 0;
}

int parent_refclocks_open(struct parent *p, double now, char *err, size_t errlen)
{
    size_t i;

    for (i = 0; i < p->cfg->n_refclocks && i < MSG_MAX_SOURCES - MSG_NTP_SLOTS; i++) {
        if (add_refclock(p, i, now) < 0) {
            snprintf(err, errlen, "refclock %s: discipline source table full",
                     p->cfg->refclocks[i].device);
            return -1;
        }
    }
    return 0;
}

void parent_refclocks_close(struct parent *p)
{
    size_t i;

    for (i = 0; i < CFG_MAX_REFCLOCKS; i++) {
        if (p->refclocks[i].phc != NULL)
            phc_close(p->refclocks[i].phc);
        p->refclocks[i].phc = NULL;
    }
}

/* One PHC measurement as a discipline sample: offset = PHC - disciplined clock. */
static void read_refclock(struct parent *p, size_t i, double now)
{
    const struct cfg_refclock *rc = &p->cfg->refclocks[i];
    uint32_t slot = MSG_NTP_SLOTS + (uint32_t)i;
    struct disc_refclock_sample s = {.leap = DISC_LEAP_NONE};
    struct phc_sample ps;
    struct clk_map map;
    struct timespec local;
    int rc_err;

    disc_source_polled(p->disc, p->slots[slot].disc_id, now);
    p->slots[slot].last_poll = now;
    rc_err = phc_sample(p->refclocks[i].phc, &ps);
    if (rc_err < 0) {
        log_debug("refclock %s: %s", rc->device, strerror(-rc_err));
        return;
    }
    clk_get_map(p->clk, &map);
    local = clk_map_apply(&map, ps.sys);
    s.offset_s = (double)(ps.phc.tv_sec - local.tv_sec) + (ps.phc.tv_nsec - local.tv_nsec) * 1e-9 +
                 rc->offset_s;
    s.delay_s = ps.delay_s + rc->delay_s;
    s.error_bound_s = ps.has_error_bound ? ps.error_bound_s : 0;
    p->slots[slot].tx_source = p->slots[slot].rx_source = DISC_TS_REFCLOCK;
    parent_stats_clock(p, slot, s.offset_s, s.delay_s, now);
    parent_sample_result(p, slot, disc_refclock_sample(p->disc, p->slots[slot].disc_id, &s, now),
                         now);
}

double parent_refclocks_poll(struct parent *p, double now)
{
    double next = 1.0;
    size_t i;

    for (i = 0; i < p->cfg->n_refclocks && i < CFG_MAX_REFCLOCKS; i++) {
        struct parent_refclock *r = &p->refclocks[i];
        const struct cfg_refclock *rc = &p->cfg->refclocks[i];

        if (r->phc == NULL)
            continue;
        if (now >= r->next_poll) {
            r->next_poll = now + ldexp(1.0, rc->poll < 0 ? 0 : rc->poll);
            read_refclock(p, i, now);
        }
        next = fmin(next, r->next_poll - now);
    }
    return next;
}
