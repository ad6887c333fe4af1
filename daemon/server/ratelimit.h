// SPDX-License-Identifier: ISC
/*
 * Per-client state of the NTP server (prefix rl_): a fixed-size table of client addresses with
 * a rate limiter per address and the timestamps a later interleaved mode needs.
 *
 * Memory is allocated once (rl_create) and bounded whatever the number of source addresses:
 * the table is set-associative (RL_WAYS entries per set, the set chosen by a keyed hash of the
 * address so a remote sender cannot aim at one set), and a new address evicts the entry of its
 * set that was seen longest ago.
 *
 * Rate limiting follows chrony's `ratelimit interval/burst/leak/kod`: a client may take `burst`
 * responses back to back and then one per 2^interval s on average (a token bucket, computed as
 * a theoretical arrival time so an entry holds a single number). A request over the limit is
 * "limited": it is answered all the same with probability 2^-leak (so a victim of spoofed
 * requests still gets some answers), else with probability 2^-kod it gets a KoD RATE, but at
 * most one KoD per client per kod interval, else it is dropped. Only answered requests count
 * against the limit.
 *
 * Time is passed by the caller (now_ns, a monotonic clock in ns), so tests use a fake clock.
 */
#ifndef TSYNC_DAEMON_RATELIMIT_H
#define TSYNC_DAEMON_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config/config.h"

#define RL_WAYS             4  /* entries per set */
#define RL_DEFAULT_ORDER    13 /* 2^13 entries of 64 octets: 512 KiB (chrony's clientloglimit) */
#define RL_MIN_KOD_INTERVAL 1000000000ull /* ns: at most one KoD per client per second */

struct rl_params {
    uint64_t interval_ns;     /* mean time between responses to one client, > 0 */
    unsigned burst;           /* responses allowed back to back, >= 1 */
    unsigned leak_log2;       /* 0: never; N: 1 in 2^N limited requests answered anyway */
    int kod_log2;             /* -1: never; N: KoD RATE to 1 in 2^N limited requests */
    uint64_t kod_interval_ns; /* at most one KoD (RATE or DENY) per client per interval */
};

/* One client address. 64 octets. */
struct rl_client {
    uint8_t addr[16];    /* IPv6, or IPv4-mapped ::ffff:a.b.c.d */
    uint64_t last_ns;    /* last request (now_ns); 0: free entry */
    uint64_t tat_ns;     /* theoretical arrival time of the next response (token bucket) */
    uint64_t kod_ns;     /* earliest time of the next KoD to this client */
    uint64_t rx_ntp;     /* receive timestamp of the last answered request (NTP format) */
    uint64_t tx_ntp;     /* kernel transmit timestamp of its reply (NTP format), 0 unknown */
    uint32_t tx_id;      /* OPT_ID number of that reply on its socket */
    uint16_t tx_socket;  /* index of the socket that sent it, 0xffff none */
    uint16_t tx_pending; /* 1 while the kernel's stamp of that reply has not arrived */
};

enum rl_verdict {
    RL_PASS, /* within the limit: answer */
    RL_LEAK, /* limited, answered anyway (leak) */
    RL_KOD,  /* limited: answer with KoD RATE */
    RL_DROP, /* limited: no answer */
};

struct rl_table {
    struct rl_client *entries; /* 2^order */
    uint32_t set_mask;         /* sets - 1 */
    uint64_t hash_key[2];
    uint64_t rng; /* xorshift state (leak/kod draws) */
    uint64_t in_use, evictions;
};

/* The rate limiter parameters of a `ratelimit` configuration (defaults when not given). */
void rl_params_from_cfg(struct rl_params *p, const struct cfg_ratelimit *rl, bool kod_flag);

/* Allocate a table of 2^order entries (order 4..24); seed keys the hash and the draws.
 * Returns 0 or -1 (out of memory). */
int rl_create(struct rl_table *t, unsigned order, uint64_t seed);
void rl_destroy(struct rl_table *t);

/* The entry of addr (16 octets, IPv4 mapped), created if needed by evicting the least recently
 * seen entry of its set. Never NULL. Updates last_ns. */
struct rl_client *rl_lookup(struct rl_table *t, const uint8_t addr[16], uint64_t now_ns);

/* Rate limiter decision for one request of client c at now_ns. */
enum rl_verdict rl_decide(struct rl_table *t, struct rl_client *c, const struct rl_params *p,
                          uint64_t now_ns);

/* May client c get a KoD now? If yes, the next one is allowed kod_interval_ns later. */
bool rl_kod_allowed(struct rl_client *c, const struct rl_params *p, uint64_t now_ns);

/* Map an IPv4 address (4 octets) to its 16-octet table key ::ffff:a.b.c.d. */
void rl_map_ipv4(const uint8_t v4[4], uint8_t out[16]);

#endif
