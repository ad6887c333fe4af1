// SPDX-License-Identifier: ISC
/* Server access control: restrict and allow/deny rules, longest-prefix match. */
#include "daemon/server/acl.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static size_t family_len(int index)
{
    return index == 0 ? 4 : 16;
}

static uint16_t mask_bits(const uint8_t *mask, size_t len)
{
    uint16_t bits = 0;

    for (size_t i = 0; i < len; i++)
        bits += (uint16_t)__builtin_popcount(mask[i]);
    return bits;
}

static int list_alloc(struct acl_list *l, size_t max)
{
    for (int f = 0; f < 2; f++) {
        l->n[f] = 0;
        l->rules[f] = calloc(max > 0 ? max : 1, sizeof(struct acl_rule));
        if (l->rules[f] == NULL)
            return -1;
    }
    return 0;
}

static void list_free(struct acl_list *l)
{
    for (int f = 0; f < 2; f++) {
        free(l->rules[f]);
        l->rules[f] = NULL;
        l->n[f] = 0;
    }
}

/* Append a rule for family index f (0 IPv4, 1 IPv6); net NULL means every address. */
static void list_add(struct acl_list *l, int f, const struct cfg_net *net, uint16_t order,
                     uint32_t flags)
{
    struct acl_rule *r = &l->rules[f][l->n[f]++];

    memset(r, 0, sizeof(*r));
    if (net != NULL) {
        memcpy(r->addr, net->addr, 16);
        memcpy(r->mask, net->mask, 16);
    }
    r->bits = mask_bits(r->mask, family_len(f));
    r->order = order;
    r->flags = flags;
}

/* Longest prefix first; of equal prefixes the later rule first. */
static int rule_cmp(const void *a, const void *b)
{
    const struct acl_rule *x = a, *y = b;

    if (x->bits != y->bits)
        return x->bits > y->bits ? -1 : 1;
    return x->order > y->order ? -1 : x->order < y->order;
}

static void list_sort(struct acl_list *l)
{
    for (int f = 0; f < 2; f++)
        qsort(l->rules[f], l->n[f], sizeof(struct acl_rule), rule_cmp);
}

static int family_index(enum cfg_family family)
{
    return family == CFG_FAMILY_IPV4 ? 0 : 1;
}

static void add_restricts(struct acl *a, const struct cfg *cfg)
{
    for (size_t i = 0; i < cfg->n_restricts; i++) {
        const struct cfg_restrict *r = &cfg->restricts[i];
        uint16_t order = (uint16_t)i;

        if (r->kind == CFG_RESTRICT_DEFAULT) {
            for (int f = 0; f < 2; f++) {
                if (r->family == CFG_FAMILY_ANY || family_index(r->family) == f)
                    list_add(&a->restricts, f, NULL, order, r->flags);
            }
        } else if (r->kind == CFG_RESTRICT_NET) {
            list_add(&a->restricts, family_index(r->net.family), &r->net, order, r->flags);
        } else {
            a->skipped++;
        }
    }
}

/* True if rule r lies inside the prefix of rule outer (equal or more specific). */
static bool rule_inside(const struct acl_rule *r, const struct acl_rule *outer, size_t len)
{
    if (r->bits < outer->bits)
        return false;
    for (size_t i = 0; i < len; i++) {
        if ((r->addr[i] & outer->mask[i]) != outer->addr[i])
            return false;
    }
    return true;
}

/* `allow all X` / `deny all X`: the earlier rules inside X no longer count. */
static void drop_inside(struct acl_list *l, int f)
{
    const struct acl_rule *outer = &l->rules[f][l->n[f] - 1];
    size_t kept = 0;

    for (size_t i = 0; i + 1 < l->n[f]; i++) {
        if (!rule_inside(&l->rules[f][i], outer, family_len(f)))
            l->rules[f][kept++] = l->rules[f][i];
    }
    l->rules[f][kept++] = *outer;
    l->n[f] = kept;
}

static void add_allow_deny(struct acl *a, const struct cfg *cfg)
{
    for (size_t i = 0; i < cfg->n_acls; i++) {
        const struct cfg_acl *c = &cfg->acls[i];

        for (int f = 0; f < 2; f++) {
            if (c->family != CFG_FAMILY_ANY && family_index(c->family) != f)
                continue;
            list_add(&a->allow_deny, f, c->family == CFG_FAMILY_ANY ? NULL : &c->net, (uint16_t)i,
                     c->allow ? 1 : 0);
            if (c->all)
                drop_inside(&a->allow_deny, f);
        }
    }
}

int acl_build(struct acl *a, const struct cfg *cfg)
{
    memset(a, 0, sizeof(*a));
    if (list_alloc(&a->restricts, 2 * cfg->n_restricts) < 0 ||
        list_alloc(&a->allow_deny, 2 * cfg->n_acls) < 0) {
        acl_free(a);
        return -1;
    }
    add_restricts(a, cfg);
    add_allow_deny(a, cfg);
    list_sort(&a->restricts);
    list_sort(&a->allow_deny);
    a->have_allow_deny = cfg->n_acls > 0;
    a->default_allow = cfg->n_restricts > 0 || cfg->local_stratum > 0;
    return 0;
}

void acl_free(struct acl *a)
{
    list_free(&a->restricts);
    list_free(&a->allow_deny);
    a->have_allow_deny = a->default_allow = false;
}

static bool rule_matches(const struct acl_rule *r, const uint8_t *addr, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((addr[i] & r->mask[i]) != r->addr[i])
            return false;
    }
    return true;
}

/* The most specific rule of l matching addr, or NULL. */
static const struct acl_rule *list_match(const struct acl_list *l, int f, const uint8_t *addr)
{
    for (size_t i = 0; i < l->n[f]; i++) {
        if (rule_matches(&l->rules[f][i], addr, family_len(f)))
            return &l->rules[f][i];
    }
    return NULL;
}

/* The family index (0 IPv4, 1 IPv6) of an address; an IPv4-mapped one counts as IPv4. */
static int addr_family_index(int family, const uint8_t **addr)
{
    if (family == AF_INET)
        return 0;
    if (memcmp(*addr, v4_mapped_prefix, sizeof(v4_mapped_prefix)) == 0) {
        *addr += sizeof(v4_mapped_prefix);
        return 0;
    }
    return 1;
}

bool acl_is_loopback(int family, const uint8_t *addr)
{
    static const uint8_t v6_loopback[16] = {[15] = 1};

    if (family == AF_INET)
        return addr[0] == 127;
    return memcmp(addr, v6_loopback, sizeof(v6_loopback)) == 0;
}

bool acl_query_allowed(const struct acl *a, int family, const uint8_t *addr)
{
    bool loopback = acl_is_loopback(family, addr);
    int f = addr_family_index(family, &addr);
    const struct acl_rule *r = list_match(&a->restricts, f, addr);

    if (r == NULL)
        return loopback;
    return !(r->flags & (CFG_RES_NOQUERY | CFG_RES_IGNORE));
}

uint32_t acl_check(const struct acl *a, int family, const uint8_t *addr)
{
    const struct acl_rule *r;
    uint32_t flags = 0, verdict = 0;
    bool allowed;
    int f = addr_family_index(family, &addr);

    if ((r = list_match(&a->restricts, f, addr)) != NULL)
        flags = r->flags;
    if (a->have_allow_deny) {
        r = list_match(&a->allow_deny, f, addr);
        allowed = r != NULL && r->flags == 1;
    } else {
        allowed = a->default_allow;
    }
    if (flags & CFG_RES_NOTRUST)
        verdict |= ACL_NOTRUST;
    if (flags & CFG_RES_IGNORE)
        return verdict | ACL_IGNORE;
    if (flags & CFG_RES_KOD)
        verdict |= ACL_KOD;
    if (flags & CFG_RES_LIMITED)
        verdict |= ACL_LIMITED;
    if (allowed && !(flags & CFG_RES_NOSERVE))
        verdict |= ACL_SERVE;
    return verdict;
}
