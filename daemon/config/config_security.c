// SPDX-License-Identifier: ISC
/*
 * ntpd, NTPsec and chrony settings that tsyncd does not implement and that would lower security
 * if they were ignored: each is an error with a hint, never a warning (a host that asks for
 * authentication or a narrower exposure must not silently run without it). Settings whose
 * absence is harmless stay warnings where they are parsed. tsyncd(8) lists both.
 */
#include <string.h>

#include "daemon/config/config_int.h"

#define HINT_KEYS "use symmetric keys: keys FILE, trustedkey N, and \"key N\" on server lines"
#define HINT_NTS                                                                                   \
    "tsyncd reads nts cert|key|ca|cookie|enable|disable|mintls|maxtls|aead and chrony's "          \
    "ntsservercert, ntsserverkey, ntstrustedcerts, ntsdumpdir, ntsport, ntsrotate, ntsntpserver "  \
    "(docs/nts.md)"
#define HINT_EXPOSE "tsyncd serves on every address: limit clients with restrict or deny rules"

static const struct {
    const char *name, *why;
} refused_directives[] = {
    {"crypto", "Autokey (RFC 5906) is not supported; " HINT_KEYS},
    {"keyfile", "chrony's key file is not read; give an ntp.keys file (\"ID TYPE KEY\" lines) "
                "to the keys directive"},
    {"authselectmode", "tsyncd selects among all sources; give every source a key, or remove the "
                       "unauthenticated ones"},
    {"bindaddress", HINT_EXPOSE},
};

/* An NTS setting of chrony's that config_nts.c does not read (nosystemcert, ntsratelimit, ...):
 * ignoring it could widen whom NTS-KE trusts or serves. */
static bool nts_directive(const char *name)
{
    return strncmp(name, "nts", 3) == 0 || strcmp(name, "nosystemcert") == 0;
}

bool cfgp_refused_directive(struct cfg_parser *p, const struct cfg_line *l)
{
    const char *name = l->argv[0];
    if (nts_directive(name)) {
        cfgp_error(p, "%s is not supported: %s", name, HINT_NTS);
        return true;
    }
    for (size_t k = 0; k < sizeof(refused_directives) / sizeof(refused_directives[0]); k++) {
        if (strcmp(name, refused_directives[k].name) == 0) {
            cfgp_error(p, "%s is not supported: %s", name, refused_directives[k].why);
            return true;
        }
    }
    return false;
}

/* interface/nic listen|ignore|drop ADDR|IFNAME|all|ipv4|ipv6|wildcard: tsyncd listens on every
 * address, so narrowing where it listens cannot be ignored; "listen" alone narrows nothing. */
void cfgp_dir_interface(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    const char *action = l->argc > 1 ? l->argv[1] : "";
    if (l->argc != 3 || (strcmp(action, "listen") != 0 && strcmp(action, "ignore") != 0 &&
                         strcmp(action, "drop") != 0)) {
        cfgp_error(p, "%s: expected \"%s listen|ignore|drop ADDRESS|NAME|all|wildcard\"",
                   l->argv[0], l->argv[0]);
        return;
    }
    if (strcmp(action, "listen") == 0)
        cfgp_warn(p, "%s listen %s: ignored, tsyncd listens on every address", l->argv[0],
                  cfgp_word(l->argv[2], w));
    else
        cfgp_error(p, "%s %s %s is not supported: %s", l->argv[0], action, cfgp_word(l->argv[2], w),
                   HINT_EXPOSE);
}

static const struct {
    const char *name;
    int nargs;
    const char *why;
} refused_server_opts[] = {
    {"autokey", 0, "Autokey (RFC 5906) is not supported; " HINT_KEYS},
    {"ident", 1, "Autokey identity schemes are not supported; " HINT_KEYS},
};

bool cfgp_refused_server_option(struct cfg_parser *p, const struct cfg_line *l, int *i)
{
    const char *opt = l->argv[*i];
    for (size_t k = 0; k < sizeof(refused_server_opts) / sizeof(refused_server_opts[0]); k++) {
        if (strcmp(opt, refused_server_opts[k].name) != 0)
            continue;
        cfgp_error(p, "option \"%s\" for %s: %s", opt, l->argv[0], refused_server_opts[k].why);
        for (int a = 0; a < refused_server_opts[k].nargs && *i + 1 < l->argc; a++)
            (*i)++;
        return true;
    }
    return false;
}

bool cfgp_enable_flag(struct cfg_parser *p, const char *directive, const char *flag)
{
    bool disable = strcmp(directive, "disable") == 0;
    if (strcmp(flag, "ntp") == 0 && disable) {
        cfgp_error(p, "disable ntp is not supported: tsyncd would still adjust the clock; use "
                      "\"clock none\" to measure without adjusting it");
        return true;
    }
    if (strcmp(flag, "auth") == 0) {
        cfgp_warn(p,
                  "%s auth: no effect, tsyncd never accepts unconfigured (ephemeral) "
                  "associations, authenticated or not",
                  directive);
        return true;
    }
    return false;
}

/* Flags whose loss would widen access: refused on rules that are not applied. */
#define RESTRICTING_FLAGS (CFG_RES_IGNORE | CFG_RES_NOSERVE | CFG_RES_LIMITED | CFG_RES_NOTRUST)

bool cfgp_restrict_flags_ok(struct cfg_parser *p, const struct cfg_restrict *r)
{
    bool ok = true;
    if (r->flags & CFG_RES_NTPPORT) {
        cfgp_error(p, "restrict ... ntpport is not supported: tsyncd cannot tell source ports "
                      "apart, so the rule would apply to every port (remove ntpport)");
        ok = false;
    }
    if (r->flags & CFG_RES_VERSION) {
        cfgp_error(p, "restrict ... version is not supported: requests of every NTP version "
                      "would be answered (remove version, or deny the clients)");
        ok = false;
    }
    if ((r->kind == CFG_RESTRICT_SOURCE || r->kind == CFG_RESTRICT_HOST) &&
        (r->flags & RESTRICTING_FLAGS)) {
        char w[CFGP_WORD_BUF];
        cfgp_error(p,
                   "restrict %s with ignore, noserve, limited or notrust: rules for \"source\" "
                   "and host names are not applied yet (use an address or a network)",
                   r->kind == CFG_RESTRICT_SOURCE ? "source" : cfgp_word(r->host, w));
        ok = false;
    }
    return ok;
}
