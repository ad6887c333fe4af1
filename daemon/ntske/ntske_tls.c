// SPDX-License-Identifier: ISC
/* TLS 1.3 for NTS-KE over GnuTLS (ntske_tls.h). */
#include "daemon/ntske/ntske_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/nts/ntske_records.h"

/* TLS 1.3 only (RFC 8915 section 3), GnuTLS' other defaults. */
#define NTSKE_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3"

struct ntske_tls_creds {
    gnutls_certificate_credentials_t client; /* trust store; NULL: no NTS source */
    gnutls_certificate_credentials_t server; /* certificate and key; NULL: no server */
    gnutls_priority_t priority;
};

struct ntske_tls {
    gnutls_session_t s;
    bool client;
};

static int tls_fail(char *err, size_t errlen, const char *what, int rc)
{
    snprintf(err, errlen, "%s: %s", what, gnutls_strerror(rc));
    return -1;
}

static int load_client(struct ntske_tls_creds *c, const struct cfg *cfg, char *err, size_t errlen)
{
    int rc = gnutls_certificate_allocate_credentials(&c->client);

    if (rc < 0)
        return tls_fail(err, errlen, "TLS credentials", rc);
    if (cfg->nts_trusted != NULL)
        rc = gnutls_certificate_set_x509_trust_file(c->client, cfg->nts_trusted,
                                                    GNUTLS_X509_FMT_PEM);
    else
        rc = gnutls_certificate_set_x509_system_trust(c->client);
    if (rc <= 0) {
        snprintf(err, errlen, "no trusted certificate in %s%s%s",
                 cfg->nts_trusted != NULL ? cfg->nts_trusted : "the system trust store",
                 rc < 0 ? ": " : "", rc < 0 ? gnutls_strerror(rc) : "");
        return -1;
    }
    return 0;
}

static int load_server(struct ntske_tls_creds *c, const struct cfg *cfg, char *err, size_t errlen)
{
    int rc = gnutls_certificate_allocate_credentials(&c->server);

    if (rc < 0)
        return tls_fail(err, errlen, "TLS credentials", rc);
    rc = gnutls_certificate_set_x509_key_file2(c->server, cfg->nts_cert, cfg->nts_key,
                                               GNUTLS_X509_FMT_PEM, NULL, 0);
    if (rc < 0) {
        snprintf(err, errlen, "NTS-KE server certificate %s or key %s: %s", cfg->nts_cert,
                 cfg->nts_key, gnutls_strerror(rc));
        return -1;
    }
    return 0;
}

struct ntske_tls_creds *ntske_tls_creds_load(const struct cfg *cfg, char *err, size_t errlen)
{
    struct ntske_tls_creds *c = calloc(1, sizeof(*c));
    int rc;

    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    rc = gnutls_priority_init(&c->priority, NTSKE_PRIORITY, NULL);
    if (rc < 0) {
        tls_fail(err, errlen, "TLS priorities", rc);
        free(c);
        return NULL;
    }
    if ((cfg_nts_client(cfg) && load_client(c, cfg, err, errlen) < 0) ||
        (cfg_nts_server(cfg) && load_server(c, cfg, err, errlen) < 0)) {
        ntske_tls_creds_free(c);
        return NULL;
    }
    return c;
}

void ntske_tls_creds_free(struct ntske_tls_creds *c)
{
    if (c == NULL)
        return;
    if (c->client != NULL)
        gnutls_certificate_free_credentials(c->client);
    if (c->server != NULL)
        gnutls_certificate_free_credentials(c->server);
    gnutls_priority_deinit(c->priority);
    free(c);
}

bool ntske_tls_creds_server(const struct ntske_tls_creds *c)
{
    return c->server != NULL;
}

static bool is_address(const char *host)
{
    uint8_t buf[16];

    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static int setup_session(struct ntske_tls *t, const struct ntske_tls_creds *c, const char *host,
                         char *err, size_t errlen)
{
    gnutls_datum_t alpn = {(unsigned char *)NTSKE_ALPN, sizeof(NTSKE_ALPN) - 1};
    int rc = gnutls_priority_set(t->s, c->priority);

    if (rc == 0)
        rc =
            gnutls_credentials_set(t->s, GNUTLS_CRD_CERTIFICATE, t->client ? c->client : c->server);
    if (rc == 0)
        rc = gnutls_alpn_set_protocols(t->s, &alpn, 1, GNUTLS_ALPN_MANDATORY);
    if (rc == 0 && t->client && !is_address(host)) /* SNI carries names only (RFC 6066) */
        rc = gnutls_server_name_set(t->s, GNUTLS_NAME_DNS, host, strlen(host));
    if (rc < 0)
        return tls_fail(err, errlen, "TLS session", rc);
    if (t->client)
        gnutls_session_set_verify_cert(t->s, host, 0);
    return 0;
}

struct ntske_tls *ntske_tls_new(const struct ntske_tls_creds *c, int fd, const char *host,
                                char *err, size_t errlen)
{
    struct ntske_tls *t = calloc(1, sizeof(*t));
    unsigned flags = GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS;
    int rc;

    if (t == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->client = host != NULL;
    if ((t->client ? c->client : c->server) == NULL) {
        snprintf(err, errlen, "no TLS credentials for this side");
        free(t);
        return NULL;
    }
    rc = gnutls_init(&t->s, flags | (t->client ? GNUTLS_CLIENT : GNUTLS_SERVER));
    if (rc < 0) {
        tls_fail(err, errlen, "TLS session", rc);
        free(t);
        return NULL;
    }
    if (setup_session(t, c, host, err, errlen) < 0) {
        ntske_tls_free(t);
        return NULL;
    }
    gnutls_transport_set_int(t->s, fd);
    return t;
}

void ntske_tls_free(struct ntske_tls *t)
{
    if (t == NULL)
        return;
    gnutls_deinit(t->s);
    free(t);
}

static enum ntske_tls_step again(const struct ntske_tls *t)
{
    return gnutls_record_get_direction(t->s) ? NTSKE_TLS_WANT_WRITE : NTSKE_TLS_WANT_READ;
}

static bool retry(int rc)
{
    return rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED;
}

/* Why the peer's certificate was refused, in GnuTLS' words. */
static void cert_reason(struct ntske_tls *t, char *err, size_t errlen)
{
    unsigned status = gnutls_session_get_verify_cert_status(t->s);
    gnutls_datum_t text = {NULL, 0};

    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0) {
        snprintf(err, errlen, "%s", (const char *)text.data);
        gnutls_free(text.data);
    } else {
        snprintf(err, errlen, "verification status 0x%x", status);
    }
}

static enum ntske_tls_step check_session(struct ntske_tls *t, char *err, size_t errlen)
{
    gnutls_datum_t proto = {NULL, 0};

    if (gnutls_protocol_get_version(t->s) != GNUTLS_TLS1_3) {
        snprintf(err, errlen, "not TLS 1.3");
        return NTSKE_TLS_FAILED;
    }
    if (gnutls_alpn_get_selected_protocol(t->s, &proto) < 0 ||
        proto.size != sizeof(NTSKE_ALPN) - 1 || memcmp(proto.data, NTSKE_ALPN, proto.size) != 0) {
        snprintf(err, errlen, "the peer did not agree to ALPN %s", NTSKE_ALPN);
        return NTSKE_TLS_FAILED;
    }
    return NTSKE_TLS_DONE;
}

enum ntske_tls_step ntske_tls_handshake(struct ntske_tls *t, bool *cert_failure, char *err,
                                        size_t errlen)
{
    int rc = gnutls_handshake(t->s);

    *cert_failure = false;
    if (rc == 0)
        return check_session(t, err, errlen);
    if (retry(rc) || (rc == GNUTLS_E_WARNING_ALERT_RECEIVED && !gnutls_error_is_fatal(rc)))
        return again(t);
    if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
        *cert_failure = true;
        cert_reason(t, err, errlen);
    } else if (rc == GNUTLS_E_FATAL_ALERT_RECEIVED) {
        snprintf(err, errlen, "TLS handshake: the peer sent the alert \"%s\"",
                 gnutls_alert_get_name(gnutls_alert_get(t->s)));
    } else {
        tls_fail(err, errlen, "TLS handshake", rc);
    }
    return NTSKE_TLS_FAILED;
}

enum ntske_tls_step ntske_tls_send(struct ntske_tls *t, const uint8_t *buf, size_t len,
                                   size_t *sent, char *err, size_t errlen)
{
    while (*sent < len) {
        ssize_t n = gnutls_record_send(t->s, buf + *sent, len - *sent);

        if (n < 0 && retry((int)n))
            return again(t);
        if (n <= 0) {
            tls_fail(err, errlen, "TLS send", (int)n);
            return NTSKE_TLS_FAILED;
        }
        *sent += (size_t)n;
    }
    return NTSKE_TLS_DONE;
}

enum ntske_tls_step ntske_tls_recv(struct ntske_tls *t, uint8_t *buf, size_t cap, size_t *len,
                                   char *err, size_t errlen)
{
    ssize_t n;

    if (*len >= cap) {
        snprintf(err, errlen, "message longer than %zu octets", cap);
        return NTSKE_TLS_FAILED;
    }
    n = gnutls_record_recv(t->s, buf + *len, cap - *len);
    if (n < 0 && retry((int)n))
        return again(t);
    if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION) {
        snprintf(err, errlen, "closed by the peer before End of Message");
        return NTSKE_TLS_FAILED;
    }
    if (n < 0) {
        tls_fail(err, errlen, "TLS receive", (int)n);
        return NTSKE_TLS_FAILED;
    }
    *len += (size_t)n;
    return NTSKE_TLS_DONE;
}

/* RFC 8915 section 5.1: the exporter context is the protocol id, the AEAD id and 0 (C2S) or
 * 1 (S2C). */
static int export_key(struct ntske_tls *t, uint8_t direction, uint8_t out[MSG_NTS_KEY_LEN])
{
    const uint8_t context[5] = {NTS_PROTOCOL_NTPV4 >> 8, NTS_PROTOCOL_NTPV4 & 0xff,
                                NTS_AEAD_SIV_CMAC_256 >> 8, NTS_AEAD_SIV_CMAC_256 & 0xff,
                                direction};

    return gnutls_prf_rfc5705(t->s, sizeof(NTSKE_EXPORTER_LABEL) - 1, NTSKE_EXPORTER_LABEL,
                              sizeof(context), (const char *)context, MSG_NTS_KEY_LEN, (char *)out);
}

int ntske_tls_export_keys(struct ntske_tls *t, uint8_t c2s[MSG_NTS_KEY_LEN],
                          uint8_t s2c[MSG_NTS_KEY_LEN])
{
    return export_key(t, 0, c2s) == 0 && export_key(t, 1, s2c) == 0 ? 0 : -1;
}

void ntske_tls_bye(struct ntske_tls *t)
{
    gnutls_bye(t->s, GNUTLS_SHUT_WR);
}
