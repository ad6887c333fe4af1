// SPDX-License-Identifier: ISC
/*
 * Server access control (prefix acl_): ntpd's `restrict` rules and chrony's `allow`/`deny`
 * compiled into per-family lists sorted by prefix length, so the first match is the longest
 * (most specific) one. Built once from struct cfg; lookups allocate nothing.
 *
 * Verdict of a client address:
 *   - the most specific `restrict` rule gives its flags (none when no rule matches: ntpd's
 *     implicit default is unrestricted);
 *   - with allow/deny rules the most specific of them decides, and an address no rule covers is
 *     denied (chrony). `allow all ADDR` / `deny all ADDR` also drop the earlier, more specific
 *     rules inside ADDR; of two rules for the same prefix the later wins. Without allow/deny
 *     rules an address is allowed when the configuration has `restrict` rules (ntpd serves by
 *     default) or `local stratum` (as daemon_serving() decides), and denied otherwise (chrony:
 *     nothing is served until allowed);
 *   - `ignore` wins over everything (no answer, not even a KoD); `noserve` or a denial answers
 *     nothing, or KoD DENY when the matching restrict rule has `kod`;
 *   - `limited` (or a `ratelimit` line, which applies to every client) enables the rate limiter;
 *     `kod` makes the limiter answer some limited requests with KoD RATE.
 *   - `notrust`: only requests signed with a trusted key are answered (ntpd); the network child
 *     also refuses a source without a key at an address the rule covers.
 * `restrict source` and `restrict HOSTNAME` rules are not applied (no resolved addresses here);
 * acl_build() counts them in `skipped`. noquery guards mode 6 (acl_query_allowed); nomodify,
 * nopeer, notrap and the other flags have nothing to guard (mode 6 is read-only, there is no
 * symmetric mode and no trap) and are accepted.
 *
 * Mode 6 (ntpq) queries: a loopback address may query unless the most specific restrict rule
 * matching it has noquery or ignore (as ntpd: `restrict default noquery` without `restrict
 * 127.0.0.1` also keeps local queries out); any other address only when a restrict rule matches
 * it without noquery and ignore. ntpd answers everyone when no rule matches; tsyncd answers
 * remote queries only where the configuration says so (a `restrict default` or a network rule
 * without noquery). allow/deny (chrony) rules are for NTP service and never open mode 6.
 */
#ifndef TSYNC_DAEMON_ACL_H
#define TSYNC_DAEMON_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config/config.h"

/* Verdict bits of acl_check(). */
#define ACL_SERVE   0x1u  /* answer (subject to rate limiting) */
#define ACL_KOD     0x2u  /* restrict ... kod: KoD DENY when denied, KoD RATE when limited */
#define ACL_LIMITED 0x4u  /* restrict ... limited: rate limit this client */
#define ACL_IGNORE  0x8u  /* restrict ... ignore: never answer anything */
#define ACL_NOTRUST 0x10u /* restrict ... notrust: answer signed requests only */

/* One rule: (address & mask) == addr. IPv4 rules use the first 4 octets. */
struct acl_rule {
    uint8_t addr[16]; /* network order, masked */
    uint8_t mask[16];
    uint16_t bits;  /* set bits of mask: the sort key (longest first) */
    uint16_t order; /* position in the configuration (later wins on equal bits) */
    uint32_t flags; /* restrict: enum cfg_restrict_flag bits; allow/deny: 1 allow, 0 deny */
};

/* Rules of one kind for both families, most specific first. */
struct acl_list {
    struct acl_rule *rules[2]; /* [0] IPv4, [1] IPv6 */
    size_t n[2];
};

struct acl {
    struct acl_list restricts;
    struct acl_list allow_deny;
    bool have_allow_deny; /* the configuration has allow/deny rules (chrony semantics) */
    bool default_allow;   /* without them: restrict rules (ntpd semantics) or local stratum */
    size_t skipped;       /* restrict source / HOST rules not applied */
};

/* Compile the access rules of cfg. Returns 0, or -1 when out of memory (a is then empty and
 * denies everything). Release with acl_free(). */
int acl_build(struct acl *a, const struct cfg *cfg);
void acl_free(struct acl *a);

/* Verdict (ACL_* bits) for a client address: family AF_INET (addr: 4 octets) or AF_INET6
 * (16 octets; an IPv4-mapped address ::ffff:a.b.c.d is checked as IPv4). */
uint32_t acl_check(const struct acl *a, int family, const uint8_t *addr);

/* May the address send mode 6 queries (see above)? Same address forms as acl_check(). */
bool acl_query_allowed(const struct acl *a, int family, const uint8_t *addr);
/* 127.0.0.0/8 (AF_INET) or ::1: addresses the kernel never accepts from the network. An
 * IPv4-mapped ::ffff:127.x.y.z is not (the server's IPv6 sockets are IPv6-only: such a source
 * would be forged). */
bool acl_is_loopback(int family, const uint8_t *addr);

#endif
