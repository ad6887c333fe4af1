// SPDX-License-Identifier: ISC
/*
 * ntpd's event lines and status words as the parent writes them (daemon/common/ntpd_status.h).
 *
 * What each word carries at each event, as ntpd 4.2 sets it:
 *   - system events: LI as a server would report it now (3 until synchronised), the clock source
 *     of the current system peer (also at a step, which corrects towards that peer: c61c), or
 *     of the one just lost (no_sys_peer: c618), ntpd's repeat count;
 *   - peer events: configured (not for pool members), the authentication bits only where the key
 *     code set them, reach as ntpd has it when it reports (reachable is reported before the
 *     reply is counted: 8014), and the selection of the previous selection round (ntpd reports
 *     sys_peer before it updates the status: 942a, or 904a after a step). A falseticker mark of
 *     a round without any majority is shown as reject: ntpd's filter starts with 16 s of
 *     dispersion, so early samples are unfit, never falsetickers, and a new system peer never
 *     shows 'x'. unreachable shows reject: an unreachable source cannot be selected.
 */
#include <stdio.h>

#include "daemon/parent/parent_int.h"

static unsigned sys_leap(const struct parent *p)
{
    const struct disc_status *st = &p->status_buf;

    if (st->synchronized && p->responsive)
        return (unsigned)st->leap & 3u;
    return p->cfg != NULL && p->cfg->local_stratum > 0 ? 0 : 3;
}

static unsigned sys_source(const struct parent *p)
{
    if (p->sys_peer_slot >= 0)
        return p->slots[p->sys_peer_slot].kind == MSG_KIND_REFCLOCK ? NTPD_SOURCE_OTHER
                                                                    : NTPD_SOURCE_NTP;
    return p->cfg != NULL && p->cfg->local_stratum > 0 ? NTPD_SOURCE_LOCAL : NTPD_SOURCE_UNSPEC;
}

uint16_t parent_sys_status(struct parent *p, enum log_event ev)
{
    ntpd_count_event(&p->sys_events, ev);
    return ntpd_sys_status(sys_leap(p), sys_source(p), &p->sys_events);
}

uint16_t parent_sys_status_now(const struct parent *p)
{
    return ntpd_sys_status(sys_leap(p), sys_source(p), &p->sys_events);
}

static unsigned peer_flags(const struct parent_slot *s, bool reachable)
{
    return (s->kind != MSG_KIND_POOL ? NTPD_PEER_CONFIG : 0) |
           (s->authenable ? NTPD_PEER_AUTHENABLE : 0) | (s->authentic ? NTPD_PEER_AUTHENTIC : 0) |
           (reachable ? NTPD_PEER_REACH : 0);
}

uint16_t parent_peer_status_now(const struct parent *p, uint32_t slot, uint8_t reach, char tally)
{
    const struct parent_slot *s = &p->slots[slot];

    return ntpd_peer_status(peer_flags(s, reach != 0), ntpd_selection_of_tally(tally), &s->events);
}

/* The selection shown by an event line (see the top of this file). */
static unsigned event_selection(const struct parent *p, const struct parent_slot *s,
                                enum log_event ev)
{
    if (ev == LOG_EV_MOBILIZE || ev == LOG_EV_UNREACHABLE)
        return NTPD_SEL_REJECT;
    if (s->selection == NTPD_SEL_FALSETICK && p->prev_no_majority)
        return NTPD_SEL_REJECT;
    return s->selection;
}

void parent_peer_event(struct parent *p, uint32_t slot, enum log_event ev, const char *detail)
{
    struct parent_slot *s = &p->slots[slot];
    bool reachable = s->last_reach != 0 && ev != LOG_EV_MOBILIZE;
    char assoc[32];

    ntpd_count_event(&s->events, ev);
    if (ev == LOG_EV_MOBILIZE && detail == NULL) {
        snprintf(assoc, sizeof(assoc), "assoc %u", s->assoc_id);
        detail = assoc;
    }
    log_event(s->addr,
              ntpd_peer_status(peer_flags(s, reachable), event_selection(p, s, ev), &s->events), ev,
              detail);
}

uint16_t parent_new_assoc_id(struct parent *p)
{
    for (;;) {
        uint16_t id = ++p->next_assoc_id;
        bool used = id == 0;

        for (int i = 0; i < MSG_MAX_SOURCES && !used; i++)
            used = p->slots[i].in_use && p->slots[i].assoc_id == id;
        if (!used)
            return id;
    }
}

static const struct disc_source_status *find_status(const struct disc_status *st, int id)
{
    for (int k = 0; k < st->nsources; k++) {
        if (st->sources[k].id == id)
            return &st->sources[k];
    }
    return NULL;
}

/* reachable / unreachable: ntpd reports reachable before it counts the reply (reach clear). */
static void reach_events(struct parent *p, uint32_t slot, const struct disc_source_status *d)
{
    struct parent_slot *s = &p->slots[slot];

    if (s->last_reach == 0 && d->reach != 0) {
        parent_peer_event(p, slot, LOG_EV_REACHABLE, NULL);
    } else if (s->last_reach != 0 && d->reach == 0) {
        s->last_reach = 0;
        parent_peer_event(p, slot, LOG_EV_UNREACHABLE, NULL);
    }
    s->last_reach = d->reach;
}

void parent_source_events(struct parent *p, const struct disc_status *st)
{
    for (int i = 0; i < MSG_MAX_SOURCES; i++) {
        struct parent_slot *s = &p->slots[i];
        const struct disc_source_status *d = s->in_use ? find_status(st, s->disc_id) : NULL;

        if (d == NULL)
            continue;
        reach_events(p, (uint32_t)i, d);
        if (d->id == st->sys_peer && p->sys_peer_slot != i) {
            p->sys_peer_slot = i;
            parent_peer_event(p, (uint32_t)i, LOG_EV_SYS_PEER, NULL);
        }
    }
    if (st->sys_peer < 0 && p->sys_peer_slot >= 0) {
        /* the word still names the source just lost, as ntpd's does */
        log_event(NULL, parent_sys_status(p, LOG_EV_NO_SYS_PEER), LOG_EV_NO_SYS_PEER, NULL);
        p->sys_peer_slot = -1;
    }
    for (int i = 0; i < MSG_MAX_SOURCES; i++) {
        const struct disc_source_status *d =
            p->slots[i].in_use ? find_status(st, p->slots[i].disc_id) : NULL;

        if (d != NULL)
            p->slots[i].selection = (uint8_t)ntpd_selection_of_tally(d->tally);
    }
    p->prev_no_majority = st->reason == DISC_SYNC_NO_MAJORITY;
}
