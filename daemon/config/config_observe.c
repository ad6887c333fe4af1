// SPDX-License-Identifier: ISC
/*
 * tsyncd's observability directives:
 *   metrics [PORT | ADDRESS | ADDRESS:PORT | [IPV6]:PORT]   Prometheus metrics over HTTP
 *   clockbound [PATH]                                       ClockBound shared memory segment
 *   vmclock PATH | off                                      VMClock device to watch
 * metrics without an address listens on 127.0.0.1 (the metrics are not for the whole network
 * unless asked for).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config_int.h"

#define ADDR_TEXT_MAX 64

static bool parse_port(const char *s, unsigned *port)
{
    char *end;
    long v;

    if (s[0] < '0' || s[0] > '9')
        return false;
    v = strtol(s, &end, 10);
    if (*end != '\0' || v < 1 || v > 65535)
        return false;
    *port = (unsigned)v;
    return true;
}

static bool parse_addr(const char *s, struct cfg_observe *o)
{
    if (inet_pton(AF_INET, s, o->metrics_addr) == 1) {
        o->metrics_family = CFG_FAMILY_IPV4;
        return true;
    }
    if (inet_pton(AF_INET6, s, o->metrics_addr) == 1) {
        o->metrics_family = CFG_FAMILY_IPV6;
        return true;
    }
    return false;
}

/* "[v6]:port", "[v6]", "v4:port", "v4", "v6" or "port". */
static bool parse_listen(const char *word, struct cfg_observe *o)
{
    char host[ADDR_TEXT_MAX];
    const char *colon = strrchr(word, ':');
    size_t n;

    if (parse_port(word, &o->metrics_port))
        return true;
    if (word[0] == '[') {
        const char *close = strchr(word, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':'))
            return false;
        n = (size_t)(close - word - 1);
        if (n == 0 || n >= sizeof(host))
            return false;
        memcpy(host, word + 1, n);
        host[n] = '\0';
        return parse_addr(host, o) && o->metrics_family == CFG_FAMILY_IPV6 &&
               (close[1] == '\0' || parse_port(close + 2, &o->metrics_port));
    }
    if (colon != NULL && strchr(word, ':') == colon) { /* IPv4 with a port */
        n = (size_t)(colon - word);
        if (n == 0 || n >= sizeof(host))
            return false;
        memcpy(host, word, n);
        host[n] = '\0';
        return parse_addr(host, o) && o->metrics_family == CFG_FAMILY_IPV4 &&
               parse_port(colon + 1, &o->metrics_port);
    }
    return parse_addr(word, o);
}

static void dir_metrics(struct cfg_parser *p, const struct cfg_line *l)
{
    struct cfg_observe *o = &p->cfg->observe;
    char w[CFGP_WORD_BUF];

    o->metrics = true;
    o->metrics_family = CFG_FAMILY_IPV4;
    memset(o->metrics_addr, 0, sizeof(o->metrics_addr));
    o->metrics_addr[0] = 127;
    o->metrics_addr[3] = 1;
    o->metrics_port = CFG_DEFAULT_METRICS_PORT;
    if (l->argc > 2)
        cfgp_error(p, "unexpected \"%s\" after metrics address", cfgp_word(l->argv[2], w));
    else if (l->argc == 2 && !parse_listen(l->argv[1], o))
        cfgp_error(p, "metrics: \"%s\" is not PORT, ADDRESS, ADDRESS:PORT or [IPV6]:PORT",
                   cfgp_word(l->argv[1], w));
}

static void dir_path_or_off(struct cfg_parser *p, const struct cfg_line *l, char **slot,
                            const char *default_path)
{
    char w[CFGP_WORD_BUF];
    const char *path = l->argc >= 2 ? l->argv[1] : default_path;

    if (l->argc > 2) {
        cfgp_error(p, "unexpected \"%s\" after %s argument", cfgp_word(l->argv[2], w), l->argv[0]);
        return;
    }
    if (path == NULL) {
        cfgp_error(p, "missing argument for %s (a path or off)", l->argv[0]);
        return;
    }
    if (strcmp(path, "off") == 0) {
        free(*slot);
        *slot = NULL;
        if (strcmp(l->argv[0], "vmclock") == 0)
            p->cfg->observe.vmclock_off = true;
        return;
    }
    if (path[0] != '/') {
        cfgp_error(p, "%s: \"%s\" is not an absolute path", l->argv[0], cfgp_word(path, w));
        return;
    }
    if (strcmp(l->argv[0], "vmclock") == 0)
        p->cfg->observe.vmclock_off = false;
    cfgp_set_string(p, slot, path);
}

void cfgp_dir_observe(struct cfg_parser *p, const struct cfg_line *l)
{
    struct cfg_observe *o = &p->cfg->observe;

    if (strcmp(l->argv[0], "metrics") == 0)
        dir_metrics(p, l);
    else if (strcmp(l->argv[0], "clockbound") == 0)
        dir_path_or_off(p, l, &o->clockbound, CFG_DEFAULT_CLOCKBOUND);
    else
        dir_path_or_off(p, l, &o->vmclock, NULL);
}

void cfgp_print_observe(const struct cfg *c, FILE *out)
{
    const struct cfg_observe *o = &c->observe;
    char addr[INET6_ADDRSTRLEN] = "";

    if (o->metrics) {
        inet_ntop(o->metrics_family == CFG_FAMILY_IPV6 ? AF_INET6 : AF_INET, o->metrics_addr, addr,
                  sizeof(addr));
        fprintf(out, o->metrics_family == CFG_FAMILY_IPV6 ? "metrics [%s]:%u\n" : "metrics %s:%u\n",
                addr, o->metrics_port);
    } else {
        fputs("# metrics (off)\n", out);
    }
    if (o->clockbound != NULL)
        fprintf(out, "clockbound %s\n", o->clockbound);
    else
        fputs("# clockbound (off)\n", out);
    if (o->vmclock_off)
        fputs("vmclock off\n", out);
    else if (o->vmclock != NULL)
        fprintf(out, "vmclock %s\n", o->vmclock);
    else
        fputs("# vmclock " CFG_DEFAULT_VMCLOCK " (when it exists)\n", out);
}
