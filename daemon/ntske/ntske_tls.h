// SPDX-License-Identifier: ISC
/*
 * TLS 1.3 for NTS-KE over GnuTLS (prefix ntske_tls_): the credentials (loaded before the
 * sandbox: trust store, server certificate and key), and non-blocking sessions that hand
 * handshake, record I/O and key export to the NTS-KE role (ntske_role.c). Only the NTS-KE role
 * (the tsyncd-ntske program) links GnuTLS.
 *
 * Every step returns NTSKE_TLS_DONE, NTSKE_TLS_WANT_READ or NTSKE_TLS_WANT_WRITE (poll the
 * socket for that, then call the step again), or NTSKE_TLS_FAILED with an English reason.
 */
#ifndef TSYNC_NTSKE_TLS_H
#define TSYNC_NTSKE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config/config.h"
#include "daemon/common/msg.h"

enum ntske_tls_step {
    NTSKE_TLS_DONE = 0,
    NTSKE_TLS_WANT_READ,
    NTSKE_TLS_WANT_WRITE,
    NTSKE_TLS_FAILED,
};

struct ntske_tls_creds;
struct ntske_tls;

/* Load what the configuration names: the trust store for NTS sources (ntstrustedcerts / nts ca,
 * else the system store) when some source uses NTS, the server certificate and key when the
 * NTS-KE server is configured. NULL with a message in err. */
struct ntske_tls_creds *ntske_tls_creds_load(const struct cfg *cfg, char *err, size_t errlen);
void ntske_tls_creds_free(struct ntske_tls_creds *c);
bool ntske_tls_creds_server(const struct ntske_tls_creds *c); /* can serve NTS-KE */

/* A session on the connected TCP socket fd: a client that expects host's certificate, or a
 * server (host NULL). NULL with err. The caller keeps fd. */
struct ntske_tls *ntske_tls_new(const struct ntske_tls_creds *c, int fd, const char *host,
                                char *err, size_t errlen);
void ntske_tls_free(struct ntske_tls *t);

/* The handshake, then the checks RFC 8915 asks: TLS 1.3, ALPN "ntske/1". On a certificate
 * failure *cert_failure is set. */
enum ntske_tls_step ntske_tls_handshake(struct ntske_tls *t, bool *cert_failure, char *err,
                                        size_t errlen);

/* Send buf[*sent, len): advances *sent; DONE when everything is sent. */
enum ntske_tls_step ntske_tls_send(struct ntske_tls *t, const uint8_t *buf, size_t len,
                                   size_t *sent, char *err, size_t errlen);

/* Receive into buf[*len, cap): advances *len; DONE when something arrived, FAILED at the end of
 * the stream (err "closed") or on an error. */
enum ntske_tls_step ntske_tls_recv(struct ntske_tls *t, uint8_t *buf, size_t cap, size_t *len,
                                   char *err, size_t errlen);

/* The session's C2S and S2C keys for NTPv4 with AEAD_AES_SIV_CMAC_256 (RFC 8915 section 5.1).
 * 0 or -1. */
int ntske_tls_export_keys(struct ntske_tls *t, uint8_t c2s[MSG_NTS_KEY_LEN],
                          uint8_t s2c[MSG_NTS_KEY_LEN]);

/* Close the TLS session politely (one close_notify, not waited for). */
void ntske_tls_bye(struct ntske_tls *t);

#endif
