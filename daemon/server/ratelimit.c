// SPDX-License-Identifier: ISC
/* Per-client table of the NTP server: bounded, set-associative, with chrony-style limits. */
#include "daemon/server/ratelimit.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000ull

_Static_assert(sizeof(struct rl_client) == 64, "one client entry is one cache line");

void rl_params_from_cfg(struct rl_params *p, const struct cfg_ratelimit *rl, bool kod_flag)
{
    int interval = rl->interval;

    p->interval_ns = interval >= 0 ? NS_PER_S << interval : NS_PER_S >> -interval;
    p->burst = rl->burst > 0 ? rl->burst : 1;
    p->leak_log2 = rl->leak;
    /* ntpd's `kod` flag: a KoD to every limited request, subject to the per-client limit */
    p->kod_log2 = rl->kod >= 0 ? rl->kod : kod_flag ? 0 : -1;
    p->kod_interval_ns =
        p->interval_ns > RL_MIN_KOD_INTERVAL ? p->interval_ns : RL_MIN_KOD_INTERVAL;
}

static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int rl_create(struct rl_table *t, unsigned order, uint64_t seed)
{
    size_t n;

    memset(t, 0, sizeof(*t));
    if (order < 4 || order > 24)
        return -1;
    n = (size_t)1 << order;
    t->entries = calloc(n, sizeof(*t->entries));
    if (t->entries == NULL)
        return -1;
    t->set_mask = (uint32_t)(n / RL_WAYS - 1);
    t->hash_key[0] = splitmix(&seed);
    t->hash_key[1] = splitmix(&seed);
    t->rng = splitmix(&seed) | 1;
    return 0;
}

void rl_destroy(struct rl_table *t)
{
    free(t->entries);
    t->entries = NULL;
}

void rl_map_ipv4(const uint8_t v4[4], uint8_t out[16])
{
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, v4, 4);
}

/* A keyed mix of the address: the set an address lands in is not predictable from outside. */
static uint32_t addr_hash(const struct rl_table *t, const uint8_t addr[16])
{
    uint64_t a, b, h;

    memcpy(&a, addr, 8);
    memcpy(&b, addr + 8, 8);
    h = (a ^ t->hash_key[0]) * 0xff51afd7ed558ccdull;
    h = (h ^ (h >> 33) ^ b ^ t->hash_key[1]) * 0xc4ceb9fe1a85ec53ull;
    h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdull; /* every input bit reaches the low bits */
    return (uint32_t)(h ^ (h >> 33));
}

struct rl_client *rl_lookup(struct rl_table *t, const uint8_t addr[16], uint64_t now_ns)
{
    struct rl_client *set = &t->entries[(size_t)(addr_hash(t, addr) & t->set_mask) * RL_WAYS];
    struct rl_client *victim = &set[0];

    for (int i = 0; i < RL_WAYS; i++) {
        if (set[i].last_ns != 0 && memcmp(set[i].addr, addr, 16) == 0) {
            set[i].last_ns = now_ns;
            return &set[i];
        }
        if (set[i].last_ns < victim->last_ns)
            victim = &set[i];
    }
    if (victim->last_ns != 0)
        t->evictions++;
    else
        t->in_use++;
    memset(victim, 0, sizeof(*victim));
    memcpy(victim->addr, addr, 16);
    victim->last_ns = now_ns != 0 ? now_ns : 1;
    victim->tx_socket = 0xffff;
    return victim;
}

/* True with probability 2^-log2. */
static bool draw(struct rl_table *t, unsigned log2)
{
    uint64_t x = t->rng;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    t->rng = x;
    return (x & ((1ull << log2) - 1)) == 0;
}

bool rl_kod_allowed(struct rl_client *c, const struct rl_params *p, uint64_t now_ns)
{
    if (now_ns < c->kod_ns)
        return false;
    c->kod_ns = now_ns + p->kod_interval_ns;
    return true;
}

enum rl_verdict rl_decide(struct rl_table *t, struct rl_client *c, const struct rl_params *p,
                          uint64_t now_ns)
{
    uint64_t tolerance_ns = (uint64_t)(p->burst - 1) * p->interval_ns;

    if (c->tat_ns <= now_ns + tolerance_ns) {
        c->tat_ns = (c->tat_ns > now_ns ? c->tat_ns : now_ns) + p->interval_ns;
        return RL_PASS;
    }
    if (p->leak_log2 > 0 && draw(t, p->leak_log2))
        return RL_LEAK;
    if (p->kod_log2 >= 0 && draw(t, (unsigned)p->kod_log2) && rl_kod_allowed(c, p, now_ns))
        return RL_KOD;
    return RL_DROP;
}
