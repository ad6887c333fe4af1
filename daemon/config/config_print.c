// SPDX-License-Identifier: ISC
/*
 * cfg_print: the configuration in a stable, readable form (tsyncd --check-config). The output
 * is itself a valid configuration; unset items are shown as comments.
 */
#include <arpa/inet.h>
#include <string.h>

#include "daemon/config/config_int.h"
#include "daemon/common/log.h"

static void print_source(const struct cfg_source *s, FILE *out)
{
    static const struct {
        unsigned flag;
        const char *name;
    } flags[] = {{CFG_SRC_IBURST, "iburst"}, {CFG_SRC_BURST, "burst"},
                 {CFG_SRC_PREFER, "prefer"}, {CFG_SRC_NOSELECT, "noselect"},
                 {CFG_SRC_TRUE, "true"},     {CFG_SRC_XLEAVE, "xleave"},
                 {CFG_SRC_NTS, "nts"}};
    fprintf(out, "%s ", s->type == CFG_SOURCE_POOL ? "pool" : "server");
    if (s->family != CFG_FAMILY_ANY)
        fprintf(out, "-%d ", (int)s->family);
    fputs(s->name, out);
    for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
        if (s->flags & flags[k].flag)
            fprintf(out, " %s", flags[k].name);
    fprintf(out, " minpoll %d maxpoll %d", s->minpoll, s->maxpoll);
    if (s->version != CFG_DEFAULT_VERSION)
        fprintf(out, " version %d", s->version);
    if (s->port != CFG_DEFAULT_PORT)
        fprintf(out, " port %u", s->port);
    if ((s->flags & CFG_SRC_NTS) && s->nts_port != CFG_DEFAULT_NTSKE_PORT)
        fprintf(out, " ntsport %u", s->nts_port);
    if (s->key_id != 0)
        fprintf(out, " key %u", (unsigned)s->key_id);
    fputc('\n', out);
}

/* A word as the parser reads it back: quoted when it holds blanks or '#'. */
static void print_word(FILE *out, const char *word)
{
    bool quote = word[0] == '\0' || strpbrk(word, " \t\r\v\f#") != NULL;
    fprintf(out, quote ? "\"%s\"" : "%s", word);
}

static void print_refclock(const struct cfg_refclock *r, FILE *out)
{
    fputs("refclock phc ", out);
    print_word(out, r->device);
    fprintf(out, " poll %d delay %.9g offset %.9g readings %u%s%s\n", r->poll, r->delay_s,
            r->offset_s, r->readings, (r->flags & CFG_SRC_PREFER) ? " prefer" : "",
            (r->flags & CFG_SRC_NOSELECT) ? " noselect" : "");
}

/* Number of leading one bits of mask, or -1 when the mask is not contiguous. */
static int prefix_len(const uint8_t *mask, size_t len)
{
    int bits = 0;
    bool zero_seen = false;
    for (size_t i = 0; i < len; i++) {
        for (int b = 7; b >= 0; b--) {
            bool one = (mask[i] >> b) & 1;
            if (one && zero_seen)
                return -1;
            zero_seen = zero_seen || !one;
            bits += one;
        }
    }
    return bits;
}

static const char *addr_str(enum cfg_family family, const uint8_t *addr, char *buf, size_t len)
{
    int af = family == CFG_FAMILY_IPV6 ? AF_INET6 : AF_INET;
    if (inet_ntop(af, addr, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "?");
    return buf;
}

/* ADDR for a host mask, ADDR/LEN for IPv6 prefixes, else ADDR mask MASK. */
static void print_net(const struct cfg_net *n, FILE *out)
{
    char a[INET6_ADDRSTRLEN], m[INET6_ADDRSTRLEN];
    size_t len = cfgp_addr_len(n->family);
    int plen = prefix_len(n->mask, len);
    addr_str(n->family, n->addr, a, sizeof(a));
    if (plen == (int)(8 * len))
        fputs(a, out);
    else if (plen >= 0 && n->family == CFG_FAMILY_IPV6)
        fprintf(out, "%s/%d", a, plen);
    else
        fprintf(out, "%s mask %s", a, addr_str(n->family, n->mask, m, sizeof(m)));
}

static void print_restrict(const struct cfg_restrict *r, FILE *out)
{
    char m[INET6_ADDRSTRLEN];
    fputs("restrict ", out);
    switch (r->kind) {
    case CFG_RESTRICT_DEFAULT:
        if (r->family != CFG_FAMILY_ANY)
            fprintf(out, "-%d ", (int)r->family);
        fputs("default", out);
        break;
    case CFG_RESTRICT_SOURCE:
        fputs("source", out);
        break;
    case CFG_RESTRICT_NET:
        print_net(&r->net, out);
        break;
    case CFG_RESTRICT_HOST:
        if (r->family != CFG_FAMILY_ANY)
            fprintf(out, "-%d ", (int)r->family);
        fputs(r->host, out);
        if (r->net.family != CFG_FAMILY_ANY)
            fprintf(out, " mask %s", addr_str(r->net.family, r->net.mask, m, sizeof(m)));
        break;
    }
    for (unsigned b = 0; b < 32; b++) {
        const char *name = cfg_restrict_flag_name(1u << b);
        if ((r->flags & (1u << b)) && name != NULL)
            fprintf(out, " %s", name);
    }
    fputc('\n', out);
}

static void print_acl(const struct cfg_acl *a, FILE *out)
{
    char buf[INET6_ADDRSTRLEN];
    fputs(a->allow ? "allow" : "deny", out);
    if (a->all)
        fputs(" all", out);
    if (a->family != CFG_FAMILY_ANY)
        fprintf(out, " %s/%d", addr_str(a->family, a->net.addr, buf, sizeof(buf)),
                prefix_len(a->net.mask, cfgp_addr_len(a->family)));
    fputc('\n', out);
}

static void print_path(FILE *out, const char *directive, const char *path, const char *unset)
{
    if (path != NULL) {
        fprintf(out, "%s ", directive);
        print_word(out, path);
        fputc('\n', out);
    } else {
        fprintf(out, "# %s %s\n", directive, unset);
    }
}

static void print_files(const struct cfg *c, FILE *out)
{
    print_path(out, "driftfile", c->driftfile, "(none: the frequency is not saved)");
    print_path(out, "logfile", c->logfile, "(none: syslog, or stderr in the foreground)");
    print_path(out, "leapfile", c->leapfile, "(none)");
    print_path(out, "pidfile", c->pidfile, "(none)");
    char mask[256];
    log_format_event_mask(c->log_mask, mask, sizeof(mask));
    fprintf(out, "logconfig %s\n", mask);
    if (c->log_ident != NULL)
        fprintf(out, "logident %s\n", c->log_ident);
    cfgp_print_stats(c, out);
}

static void print_access(const struct cfg *c, FILE *out)
{
    for (size_t i = 0; i < c->n_restricts; i++)
        print_restrict(&c->restricts[i], out);
    for (size_t i = 0; i < c->n_acls; i++)
        print_acl(&c->acls[i], out);
    const struct cfg_ratelimit *rl = &c->ratelimit;
    if (!rl->enabled)
        fputs("# ratelimit (off)\n", out);
    else if (rl->kod >= 0)
        fprintf(out, "ratelimit interval %d burst %u leak %u kod %d\n", rl->interval, rl->burst,
                rl->leak, rl->kod);
    else
        fprintf(out, "ratelimit interval %d burst %u leak %u\n", rl->interval, rl->burst, rl->leak);
}

#define TRUSTED_PER_LINE 16
_Static_assert(1 + 3 * TRUSTED_PER_LINE <= CFG_MAX_WORDS, "a trustedkey line fits a line");

/* keys, trustedkey, controlkey, requestkey; never a secret. */
static void print_keys(const struct cfg *c, FILE *out)
{
    print_path(out, "keys", c->keys_file, "(none: no symmetric-key authentication)");
    if (c->keys_file != NULL)
        fprintf(out, "# %zu trusted key(s) read\n", c->keys.n);
    /* a range is 3 words: lines of TRUSTED_PER_LINE ids or ranges stay within CFG_MAX_WORDS */
    for (size_t i = 0; i < c->n_trusted; i++) {
        const struct cfg_key_range *r = &c->trusted[i];
        if (i % TRUSTED_PER_LINE == 0)
            fputs("trustedkey", out);
        if (r->first == r->last)
            fprintf(out, " %u", r->first);
        else
            fprintf(out, " (%u ... %u)", r->first, r->last);
        if (i % TRUSTED_PER_LINE == TRUSTED_PER_LINE - 1 || i + 1 == c->n_trusted)
            fputc('\n', out);
    }
    if (c->controlkey != 0)
        fprintf(out, "controlkey %u\n", (unsigned)c->controlkey);
    if (c->requestkey != 0)
        fprintf(out, "requestkey %u\n", (unsigned)c->requestkey);
}

static void print_clock(const struct cfg *c, FILE *out)
{
    fprintf(out, "tinker step %.9g panic %.9g stepout %.9g dispersion %.9g\n", c->step_s,
            c->panic_s, c->stepout_s, c->dispersion_ppm);
    if (c->clock == CFG_CLOCK_VIRTUAL)
        fprintf(out, "clock virtual offset %.9g freq %.9g\n", c->clock_offset_s, c->clock_freq_ppm);
    else
        fprintf(out, "clock %s\n", c->clock == CFG_CLOCK_NONE ? "none" : "system");
    fprintf(out, "maxslewrate %.9g\n", c->maxslewrate_ppm);
    fprintf(out, "minsources %u\n", c->minsources);
    if (c->minclock > 0)
        fprintf(out, "tos minclock %u\n", c->minclock);
    if (c->maxclock > 0)
        fprintf(out, "tos maxclock %u\n", c->maxclock);
}

static void print_process(const struct cfg *c, FILE *out)
{
    fprintf(out, "port %u\n", c->port);
    if (c->user != NULL)
        fprintf(out, "user %s%s%s\n", c->user, c->group != NULL ? ":" : "",
                c->group != NULL ? c->group : "");
    else
        fputs("# user (built-in default)\n", out);
    print_path(out, "chroot", c->chroot_dir, "(built-in default)");
    print_path(out, "controlsocket",
               c->controlsocket != NULL ? c->controlsocket : CFG_DEFAULT_CONTROLSOCKET, "");
}

/* NTS lines, in NTPsec's syntax where it has one. */
static void print_nts(const struct cfg *c, FILE *out)
{
    print_path(out, "nts cert", c->nts_cert, "(none: no NTS-KE server)");
    print_path(out, "nts key", c->nts_key, "(none)");
    print_path(out, "nts ca", c->nts_trusted, "(none: the system trust store)");
    print_path(out, "nts cookie",
               c->nts_cookie_file != NULL ? c->nts_cookie_file : CFG_DEFAULT_NTS_KEYS, "");
    fprintf(out, "ntsport %u\nntsrotate %.9g\n", c->ntske_port, c->nts_rotate_s);
    if (c->nts_ntp_server != NULL)
        fprintf(out, "ntsntpserver %s\n", c->nts_ntp_server);
}

int cfg_print(const struct cfg *c, FILE *out)
{
    for (size_t i = 0; i < c->n_sources; i++)
        print_source(&c->sources[i], out);
    for (size_t i = 0; i < c->n_refclocks; i++)
        print_refclock(&c->refclocks[i], out);
    for (size_t i = 0; i < c->n_hwts; i++)
        fprintf(out, "hwtimestamp %s\n", c->hwts[i].iface);
    if (c->local_stratum > 0)
        fprintf(out, "local stratum %d\n", c->local_stratum);
    print_files(c, out);
    print_access(c, out);
    print_keys(c, out);
    print_clock(c, out);
    print_process(c, out);
    print_nts(c, out);
    cfgp_print_observe(c, out);
    return ferror(out) ? -1 : 0;
}
