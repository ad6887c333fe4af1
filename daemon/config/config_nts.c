// SPDX-License-Identifier: ISC
/*
 * NTS (RFC 8915) directives, in both dialects tsyncd reads:
 *
 *   NTPsec                      chrony                     meaning
 *   server NAME nts             server NAME nts            NTS-KE with NAME, then NTS
 *   nts cert FILE               ntsservercert FILE         NTS-KE server certificate chain
 *   nts key FILE                ntsserverkey FILE          its private key
 *   nts ca FILE                 ntstrustedcerts FILE       CAs for NTS-KE servers (default:
 *                                                          the system trust store)
 *   nts cookie FILE             ntsdumpdir DIR (DIR/ntskeys) the server's cookie keys
 *   -                           ntsport N                  NTS-KE server port (4460)
 *   -                           server ... ntsport N       NTS-KE port of a server
 *   -                           ntsrotate S                cookie key rotation (86400 s)
 *   -                           ntsntpserver NAME          NTPv4 server named to clients
 *   nts enable / nts disable    -                          serve NTS-KE (with cert and key)
 *
 * What would weaken NTS is an error, not a warning: certificate checks off (NTPsec `noval`,
 * chrony `nocerttimecheck`), TLS older than 1.3, other AEADs or cipher lists, a per-server CA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/config/config_int.h"

#define NTS_KEYS_IN_DUMPDIR "ntskeys" /* chrony's file name in ntsdumpdir */

void cfgp_free_nts(struct cfg *c)
{
    char **strings[] = {&c->nts_cert, &c->nts_key, &c->nts_trusted, &c->nts_cookie_file,
                        &c->nts_ntp_server};

    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(*strings[i]);
}

bool cfg_nts_server(const struct cfg *c)
{
    return c->nts_cert != NULL && c->nts_key != NULL;
}

bool cfg_nts_client(const struct cfg *c)
{
    for (size_t i = 0; i < c->n_sources; i++) {
        if (c->sources[i].flags & CFG_SRC_NTS)
            return true;
    }
    return false;
}

/* An absolute path argument for what, or NULL with an error. */
static const char *path_value(struct cfg_parser *p, const struct cfg_line *l, int *i,
                              const char *what)
{
    char w[CFGP_WORD_BUF];
    const char *v = cfgp_arg(p, l, i, what);

    if (v != NULL && v[0] != '/') {
        cfgp_error(p, "%s: \"%s\" is not an absolute path", what, cfgp_word(v, w));
        return NULL;
    }
    return v;
}

static void set_path(struct cfg_parser *p, const struct cfg_line *l, int *i, const char *what,
                     char **slot)
{
    const char *v = path_value(p, l, i, what);

    if (v != NULL)
        cfgp_set_string(p, slot, v);
}

/* `mintls`/`maxtls`: only TLS 1.3 exists for NTS-KE. */
static void tls_version(struct cfg_parser *p, const struct cfg_line *l, int *i, const char *what)
{
    char w[CFGP_WORD_BUF];
    const char *v = cfgp_arg(p, l, i, what);

    if (v != NULL && strcasecmp(v, "TLS1.3") != 0)
        cfgp_error(p, "nts %s %s: NTS-KE uses TLS 1.3 only (RFC 8915)", what, cfgp_word(v, w));
}

/* `aead NAME`: AES_SIV_CMAC_256 is the only algorithm tsyncd negotiates. */
static void aead_value(struct cfg_parser *p, const struct cfg_line *l, int *i)
{
    char w[CFGP_WORD_BUF];
    const char *v = cfgp_arg(p, l, i, "aead");

    if (v != NULL && strcasecmp(v, "AES_SIV_CMAC_256") != 0 &&
        strcasecmp(v, "AEAD_AES_SIV_CMAC_256") != 0)
        cfgp_error(p, "aead %s is unsupported: tsyncd uses AES_SIV_CMAC_256 only", cfgp_word(v, w));
}

static void nts_option(struct cfg_parser *p, const struct cfg_line *l, int *i)
{
    struct cfg *c = p->cfg;
    const char *opt = l->argv[*i];
    char w[CFGP_WORD_BUF];

    if (strcmp(opt, "enable") == 0)
        p->nts_disable = false;
    else if (strcmp(opt, "disable") == 0)
        p->nts_disable = true;
    else if (strcmp(opt, "cert") == 0)
        set_path(p, l, i, "nts cert", &c->nts_cert);
    else if (strcmp(opt, "key") == 0)
        set_path(p, l, i, "nts key", &c->nts_key);
    else if (strcmp(opt, "ca") == 0)
        set_path(p, l, i, "nts ca", &c->nts_trusted);
    else if (strcmp(opt, "cookie") == 0)
        set_path(p, l, i, "nts cookie", &c->nts_cookie_file);
    else if (strcmp(opt, "mintls") == 0 || strcmp(opt, "maxtls") == 0)
        tls_version(p, l, i, opt);
    else if (strcmp(opt, "aead") == 0)
        aead_value(p, l, i);
    else if (strcmp(opt, "tlscipherserverpreference") == 0)
        return; /* TLS 1.3 with GnuTLS' defaults either way */
    else
        cfgp_error(p, "nts %s is unsupported", cfgp_word(opt, w));
}

void cfgp_dir_nts(struct cfg_parser *p, const struct cfg_line *l)
{
    if (l->argc < 2) {
        cfgp_error(p, "nts: missing option (enable, disable, cert, key, ca, cookie)");
        return;
    }
    for (int i = 1; i < l->argc; i++)
        nts_option(p, l, &i);
}

static void dumpdir(struct cfg_parser *p, const char *dir)
{
    char path[4096];
    char w[CFGP_WORD_BUF];

    if (dir[0] != '/') {
        cfgp_error(p, "ntsdumpdir: \"%s\" is not an absolute path", cfgp_word(dir, w));
        return;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, NTS_KEYS_IN_DUMPDIR) >= sizeof(path)) {
        cfgp_error(p, "ntsdumpdir: path too long");
        return;
    }
    cfgp_set_string(p, &p->cfg->nts_cookie_file, path);
}

void cfgp_dir_nts_chrony(struct cfg_parser *p, const struct cfg_line *l)
{
    const char *d = l->argv[0];
    struct cfg *c = p->cfg;
    int i = 1;
    long n;

    if (strcmp(d, "ntsprocesses") == 0 || strcmp(d, "ntsserverhelpers") == 0 ||
        strcmp(d, "ntsrefresh") == 0) {
        cfgp_warn(p, "%s is not needed by tsyncd (one NTS-KE process), ignored", d);
        return;
    }
    if (strcmp(d, "nocerttimecheck") == 0) {
        cfgp_error(p, "nocerttimecheck is unsupported: certificates are always checked");
        return;
    }
    if (l->argc != 2) {
        cfgp_error(p, "%s takes one argument", d);
        return;
    }
    if (strcmp(d, "ntsservercert") == 0)
        set_path(p, l, &(int){0}, d, &c->nts_cert);
    else if (strcmp(d, "ntsserverkey") == 0)
        set_path(p, l, &(int){0}, d, &c->nts_key);
    else if (strcmp(d, "ntstrustedcerts") == 0)
        set_path(p, l, &(int){0}, d, &c->nts_trusted);
    else if (strcmp(d, "ntsdumpdir") == 0)
        dumpdir(p, l->argv[1]);
    else if (strcmp(d, "ntsport") == 0 && cfgp_long(p, d, l->argv[i], 1, 65535, &n))
        c->ntske_port = (unsigned)n;
    else if (strcmp(d, "ntsrotate") == 0)
        cfgp_double(p, d, l->argv[i], 0, 1e9, &c->nts_rotate_s);
    else if (strcmp(d, "ntsntpserver") == 0 && cfgp_valid_host(l->argv[i]))
        cfgp_set_string(p, &c->nts_ntp_server, l->argv[i]);
    else if (strcmp(d, "ntsntpserver") == 0)
        cfgp_error(p, "ntsntpserver: invalid host name");
}

bool cfgp_nts_server_option(struct cfg_parser *p, const struct cfg_line *l, int *i,
                            struct cfg_source *s)
{
    const char *opt = l->argv[*i], *v;
    long n;

    if (strcmp(opt, "nts") == 0) {
        s->flags |= CFG_SRC_NTS;
    } else if (strcmp(opt, "ntsport") == 0) {
        if ((v = cfgp_arg(p, l, i, opt)) && cfgp_long(p, opt, v, 1, 65535, &n))
            s->nts_port = (unsigned)n;
    } else if (strcmp(opt, "noval") == 0) {
        cfgp_error(p, "noval is unsupported: NTS-KE certificates are always verified");
    } else if (strcmp(opt, "ca") == 0) {
        cfgp_arg(p, l, i, opt);
        cfgp_error(p, "a CA per server is unsupported: use `nts ca FILE` (or ntstrustedcerts)");
    } else if (strcmp(opt, "aead") == 0) {
        aead_value(p, l, i);
    } else if (strcmp(opt, "certset") == 0 || strcmp(opt, "cert") == 0) {
        cfgp_arg(p, l, i, opt);
        cfgp_error(p, "%s on a server line is unsupported", opt);
    } else {
        return false;
    }
    return true;
}

void cfgp_nts_check_source(struct cfg_parser *p, const struct cfg_source *s)
{
    if (!(s->flags & CFG_SRC_NTS))
        return;
    if (s->flags & CFG_SRC_XLEAVE)
        cfgp_error(p, "nts and xleave cannot be combined: an NTS reply is sealed before it is "
                      "sent, so it cannot carry the server's transmit time (remove xleave)");
    if (s->key_id != 0)
        cfgp_error(p,
                   "nts and key cannot be combined: NTS authenticates the source (remove "
                   "key %u)",
                   (unsigned)s->key_id);
}

void cfgp_finish_nts(struct cfg_parser *p)
{
    struct cfg *c = p->cfg;

    if ((c->nts_cert == NULL) != (c->nts_key == NULL))
        cfgp_error(p, "NTS server: both a certificate (nts cert / ntsservercert) and a key "
                      "(nts key / ntsserverkey) are needed");
    if (p->nts_disable) {
        free(c->nts_cert);
        free(c->nts_key);
        c->nts_cert = c->nts_key = NULL;
    }
}
