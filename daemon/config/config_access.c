// SPDX-License-Identifier: ISC
/* Access control directives: ntpd's restrict/unrestrict, chrony's allow/deny and ratelimit. */
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config_int.h"

static const struct {
    const char *name;
    uint32_t bit;
} restrict_flags[] = {
    {"ignore", CFG_RES_IGNORE},       {"kod", CFG_RES_KOD},
    {"limited", CFG_RES_LIMITED},     {"lowpriotrap", CFG_RES_LOWPRIOTRAP},
    {"nomodify", CFG_RES_NOMODIFY},   {"noquery", CFG_RES_NOQUERY},
    {"nopeer", CFG_RES_NOPEER},       {"noserve", CFG_RES_NOSERVE},
    {"notrap", CFG_RES_NOTRAP},       {"notrust", CFG_RES_NOTRUST},
    {"ntpport", CFG_RES_NTPPORT},     {"version", CFG_RES_VERSION},
    {"mssntp", CFG_RES_MSSNTP},       {"flake", CFG_RES_FLAKE},
    {"nomrulist", CFG_RES_NOMRULIST}, {"noepeer", CFG_RES_NOEPEER},
};

#define N_RESTRICT_FLAGS (sizeof(restrict_flags) / sizeof(restrict_flags[0]))

const char *cfg_restrict_flag_name(uint32_t bit)
{
    for (size_t k = 0; k < N_RESTRICT_FLAGS; k++)
        if (restrict_flags[k].bit == bit)
            return restrict_flags[k].name;
    return NULL;
}

static bool restrict_flag(const char *name, uint32_t *bit)
{
    for (size_t k = 0; k < N_RESTRICT_FLAGS; k++) {
        if (strcmp(name, restrict_flags[k].name) == 0) {
            *bit = restrict_flags[k].bit;
            return true;
        }
    }
    return false;
}

static bool is_family_word(const char *w)
{
    return strcmp(w, "-4") == 0 || strcmp(w, "-6") == 0;
}

/* Parses [-4|-6] default|source|ADDR[/LEN]|HOST at argv[*i] into r. */
static bool restrict_target(struct cfg_parser *p, const struct cfg_line *l, int *i,
                            struct cfg_restrict *r)
{
    char w[CFGP_WORD_BUF];
    const char *dir = l->argv[0];
    enum cfg_family family = CFG_FAMILY_ANY;
    if (*i < l->argc && is_family_word(l->argv[*i]))
        family = l->argv[(*i)++][1] == '4' ? CFG_FAMILY_IPV4 : CFG_FAMILY_IPV6;
    if (*i >= l->argc) {
        cfgp_error(p, "missing address for %s", dir);
        return false;
    }
    const char *target = l->argv[(*i)++];
    memset(r, 0, sizeof(*r));
    r->family = family;
    if (strcmp(target, "default") == 0) {
        r->kind = CFG_RESTRICT_DEFAULT;
    } else if (strcmp(target, "source") == 0) {
        r->kind = CFG_RESTRICT_SOURCE; /* the sources' own addresses: -4/-6 does not apply */
        r->family = CFG_FAMILY_ANY;
    } else if (cfgp_parse_net(target, &r->net)) {
        r->kind = CFG_RESTRICT_NET;
        if (family != CFG_FAMILY_ANY && family != r->net.family) {
            cfgp_error(p, "%s -%d does not match address \"%s\"", dir, (int)family,
                       cfgp_word(target, w));
            return false;
        }
        r->family = r->net.family;
    } else if (strchr(target, '/') == NULL && cfgp_valid_host(target)) {
        r->kind = CFG_RESTRICT_HOST;
        r->host = (char *)target; /* copied by the caller when the rule is stored */
    } else {
        cfgp_error(p, "invalid address \"%s\" for %s", cfgp_word(target, w), dir);
        return false;
    }
    return true;
}

/* "mask M" after the address; for a host name the mask is kept with its own family. */
static void restrict_mask(struct cfg_parser *p, const struct cfg_line *l, int *i,
                          struct cfg_restrict *r, bool *masked)
{
    char w[CFGP_WORD_BUF];
    const char *v = cfgp_arg(p, l, i, "mask");
    if (v == NULL)
        return;
    if (r->kind == CFG_RESTRICT_DEFAULT || r->kind == CFG_RESTRICT_SOURCE || *masked) {
        cfgp_error(p, "mask not allowed here (\"%s\")", cfgp_word(v, w));
        return;
    }
    uint8_t mask[16];
    enum cfg_family family = r->kind == CFG_RESTRICT_NET ? r->net.family : CFG_FAMILY_IPV4;
    if (r->kind == CFG_RESTRICT_HOST && strchr(v, ':') != NULL)
        family = CFG_FAMILY_IPV6;
    if (!cfgp_parse_mask(v, family, mask)) {
        cfgp_error(p, "invalid mask \"%s\"", cfgp_word(v, w));
        return;
    }
    if (r->kind == CFG_RESTRICT_HOST)
        r->net.family = family;
    cfgp_apply_mask(&r->net, mask);
    *masked = true;
}

/* Parses the flags and mask after the address; returns false after an error. */
static bool restrict_options(struct cfg_parser *p, const struct cfg_line *l, int i,
                             struct cfg_restrict *r, const char *target)
{
    char w[CFGP_WORD_BUF];
    size_t errors = p->diag->n_errors;
    bool masked = strchr(target, '/') != NULL;
    for (; i < l->argc; i++) {
        const char *opt = l->argv[i];
        uint32_t bit;
        if (strcmp(opt, "mask") == 0) {
            restrict_mask(p, l, &i, r, &masked);
        } else if (restrict_flag(opt, &bit)) {
            r->flags |= bit;
        } else if (strcmp(opt, "ippeerlimit") == 0) {
            cfgp_warn(p, "restrict option \"ippeerlimit\" is unsupported, ignored");
            cfgp_arg(p, l, &i, opt);
        } else {
            cfgp_unknown(p, "unknown flag \"%s\" for %s", cfgp_word(opt, w), l->argv[0]);
        }
    }
    return p->diag->n_errors == errors;
}

static bool same_target(const struct cfg_restrict *a, const struct cfg_restrict *b)
{
    if (a->kind != b->kind || a->family != b->family)
        return false;
    if (a->kind == CFG_RESTRICT_HOST && strcmp(a->host, b->host) != 0)
        return false;
    return memcmp(&a->net, &b->net, sizeof(a->net)) == 0;
}

static struct cfg_restrict *find_restrict(struct cfg *c, const struct cfg_restrict *r)
{
    for (size_t k = 0; k < c->n_restricts; k++)
        if (same_target(&c->restricts[k], r))
            return &c->restricts[k];
    return NULL;
}

/* Parses the address, mask and flags of a restrict or unrestrict line into *r; returns false
 * after an error. */
static bool restrict_parse(struct cfg_parser *p, const struct cfg_line *l, struct cfg_restrict *r)
{
    int i = 1;
    return restrict_target(p, l, &i, r) && restrict_options(p, l, i, r, l->argv[i - 1]);
}

void cfgp_dir_restrict(struct cfg_parser *p, const struct cfg_line *l)
{
    struct cfg *c = p->cfg;
    struct cfg_restrict r;
    if (!restrict_parse(p, l, &r) || !cfgp_restrict_flags_ok(p, &r))
        return;
    struct cfg_restrict *old = find_restrict(c, &r);
    if (old != NULL) { /* as in ntpd, a rule for the same address replaces the flags */
        old->flags = r.flags;
        return;
    }
    if (c->n_restricts >= CFG_MAX_RESTRICTS) {
        cfgp_error(p, "too many restrict rules (limit %d)", CFG_MAX_RESTRICTS);
        return;
    }
    if (r.kind == CFG_RESTRICT_HOST && (r.host = cfgp_strdup(p, r.host)) == NULL)
        return;
    c->restricts[c->n_restricts++] = r;
}

/* ntpsec: unrestrict clears the given flags of a rule, or removes the rule without flags. */
void cfgp_dir_unrestrict(struct cfg_parser *p, const struct cfg_line *l)
{
    struct cfg *c = p->cfg;
    struct cfg_restrict r;
    if (!restrict_parse(p, l, &r) || !cfgp_restrict_flags_ok(p, &r))
        return;
    struct cfg_restrict *old = find_restrict(c, &r);
    if (old == NULL) {
        cfgp_warn(p, "unrestrict: no matching restrict rule");
        return;
    }
    if (r.flags != 0) {
        old->flags &= ~r.flags;
        return;
    }
    free(old->host);
    size_t k = (size_t)(old - c->restricts);
    memmove(old, old + 1, (c->n_restricts - k - 1) * sizeof(*old));
    c->n_restricts--;
}

/* chrony: allow|deny [all] [ADDR[/LEN]]; no address means every address. */
void cfgp_dir_allow_deny(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    struct cfg *c = p->cfg;
    struct cfg_acl a = {.allow = strcmp(l->argv[0], "allow") == 0};
    int i = 1;
    if (i < l->argc && strcmp(l->argv[i], "all") == 0) {
        a.all = true;
        i++;
    }
    if (i < l->argc) {
        if (!cfgp_parse_net(l->argv[i], &a.net)) {
            cfgp_error(p, "invalid address \"%s\" for %s", cfgp_word(l->argv[i], w), l->argv[0]);
            return;
        }
        a.family = a.net.family;
        i++;
    }
    if (i < l->argc) {
        cfgp_error(p, "unexpected \"%s\" after %s address", cfgp_word(l->argv[i], w), l->argv[0]);
        return;
    }
    if (c->n_acls >= CFG_MAX_ACL) {
        cfgp_error(p, "too many allow/deny rules (limit %d)", CFG_MAX_ACL);
        return;
    }
    c->acls[c->n_acls++] = a;
}

void cfgp_dir_ratelimit(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    struct cfg_ratelimit rl = p->cfg->ratelimit;
    size_t errors = p->diag->n_errors;
    for (int i = 1; i < l->argc; i++) {
        const char *opt = l->argv[i], *v;
        long n;
        if (strcmp(opt, "interval") == 0) {
            if ((v = cfgp_arg(p, l, &i, opt)) && cfgp_long(p, opt, v, -19, 12, &n))
                rl.interval = (int)n;
        } else if (strcmp(opt, "burst") == 0) {
            if ((v = cfgp_arg(p, l, &i, opt)) && cfgp_long(p, opt, v, 1, 255, &n))
                rl.burst = (unsigned)n;
        } else if (strcmp(opt, "leak") == 0) {
            if ((v = cfgp_arg(p, l, &i, opt)) && cfgp_long(p, opt, v, 0, 4, &n))
                rl.leak = (unsigned)n;
        } else if (strcmp(opt, "kod") == 0) {
            if ((v = cfgp_arg(p, l, &i, opt)) && cfgp_long(p, opt, v, 0, 4, &n))
                rl.kod = (int)n;
        } else {
            cfgp_unknown(p, "unknown option \"%s\" for ratelimit", cfgp_word(opt, w));
            cfgp_skip_value(l, &i);
        }
    }
    if (p->diag->n_errors != errors)
        return;
    rl.enabled = true;
    p->cfg->ratelimit = rl;
}
