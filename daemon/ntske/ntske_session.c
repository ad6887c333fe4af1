// SPDX-License-Identifier: ISC
/* One NTS-KE session, client or server: TCP, TLS, records, keys (ntske_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "daemon/ntske/ntske_int.h"

static struct ntske_session *free_session(struct ntske_role *r)
{
    for (int i = 0; i < NTSKE_MAX_SESSIONS; i++) {
        if (r->sessions[i].phase == NTSKE_FREE)
            return &r->sessions[i];
    }
    return NULL;
}

void ntske_session_end(struct ntske_session *s)
{
    if (s->tls != NULL)
        ntske_tls_free(s->tls);
    if (s->fd >= 0)
        close(s->fd);
    memset(s->c2s, 0, sizeof(s->c2s));
    memset(s->s2c, 0, sizeof(s->s2c));
    s->tls = NULL;
    s->fd = -1;
    s->phase = NTSKE_FREE;
}

/* ---- client side --------------------------------------------------------------------------- */

static void send_result(struct ntske_role *r, struct msg_ntske_result *res, const char *host)
{
    char err[160];

    if (msg_check_payload(MSG_NTSKE_RESULT, res, err, sizeof(err)) < 0) {
        log_err("NTS-KE with %s: internal error: %s", host, err); /* a bug: never sent */
        return;
    }
    ntske_send_net(r, MSG_NTSKE_RESULT, res, sizeof(*res));
}

static void send_failure(struct ntske_role *r, uint32_t id, const char *host,
                         enum msg_ntske_status st, const char *why)
{
    static struct msg_ntske_result res;

    memset(&res, 0, sizeof(res));
    res.id = id;
    res.status = (uint32_t)st;
    msg_copy_str(res.reason, sizeof(res.reason), why);
    log_info("NTS-KE with %s failed: %s", host, why);
    send_result(r, &res, host);
}

static void client_fail(struct ntske_role *r, struct ntske_session *s, enum msg_ntske_status st,
                        const char *why)
{
    send_failure(r, s->id, s->host, st, why);
    ntske_session_end(s);
}

/* A TCP socket without type flags where socket() refuses them (LD_PRELOAD simulators). */
static int stream_socket(int family)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0 && errno == EINVAL) {
        fd = socket(family, SOCK_STREAM, 0);
        if (fd >= 0)
            fcntl(fd, F_SETFL, O_NONBLOCK);
    }
    return fd;
}

static socklen_t request_addr(const struct msg_ntske_request *req, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (req->family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;

        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)req->port);
        memcpy(&sin->sin_addr, req->addr, 4);
        return sizeof(*sin);
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)req->port);
    memcpy(&sin6->sin6_addr, req->addr, 16);
    return sizeof(*sin6);
}

void ntske_session_client(struct ntske_role *r, const struct msg_ntske_request *req, double now)
{
    struct ntske_session *s = free_session(r);
    struct sockaddr_storage ss;
    socklen_t len = request_addr(req, &ss);
    char why[160];

    if (s == NULL) {
        send_failure(r, req->id, req->host, MSG_NTSKE_BUSY, "too many NTS-KE sessions at once");
        return;
    }
    memset(s, 0, offsetof(struct ntske_session, in));
    s->fd = stream_socket((int)req->family);
    s->id = req->id;
    s->deadline = now + NTSKE_TIMEOUT_S;
    msg_copy_str(s->host, sizeof(s->host), req->host);
    s->phase = NTSKE_CONNECTING;
    s->events = POLLOUT;
    if (s->fd < 0 || (connect(s->fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)) {
        snprintf(why, sizeof(why), "cannot connect to port %u: %s", req->port, strerror(errno));
        client_fail(r, s, MSG_NTSKE_CONNECT, why);
    }
}

/* The response arrived complete: keys, cookies, negotiated server and port. */
static void client_done(struct ntske_role *r, struct ntske_session *s, size_t len)
{
    static struct ntske_response resp;
    static struct msg_ntske_result res;
    char why[160];

    if (ntske_decode_response(s->in, len, &resp, why, sizeof(why)) < 0) {
        client_fail(r, s, MSG_NTSKE_PROTOCOL, why);
        return;
    }
    memset(&res, 0, sizeof(res));
    if (ntske_tls_export_keys(s->tls, res.c2s, res.s2c) < 0) {
        client_fail(r, s, MSG_NTSKE_TLS, "TLS key export failed");
        return;
    }
    res.id = s->id;
    res.status = MSG_NTSKE_OK;
    res.ncookies = resp.ncookies;
    for (unsigned i = 0; i < resp.ncookies; i++) {
        res.cookie_len[i] = resp.cookie_len[i];
        memcpy(res.cookies[i], resp.cookies[i], resp.cookie_len[i]);
    }
    msg_copy_str(res.ntp_server, sizeof(res.ntp_server), resp.server);
    res.ntp_port = resp.port;
    log_info("NTS-KE with %s: %u cookies%s%s", s->host, resp.ncookies,
             resp.server[0] ? ", NTPv4 server " : "", resp.server);
    ntske_tls_bye(s->tls);
    send_result(r, &res, s->host);
    memset(&res, 0, sizeof(res));
    ntske_session_end(s);
}

static void connected(struct ntske_role *r, struct ntske_session *s)
{
    int e = 0;
    socklen_t elen = sizeof(e);
    char why[160];

    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0 || e != 0) {
        snprintf(why, sizeof(why), "cannot connect: %s", strerror(e != 0 ? e : errno));
        client_fail(r, s, MSG_NTSKE_CONNECT, why);
        return;
    }
    s->tls = ntske_tls_new(r->creds, s->fd, s->host, why, sizeof(why));
    if (s->tls == NULL) {
        client_fail(r, s, MSG_NTSKE_TLS, why);
        return;
    }
    s->phase = NTSKE_HANDSHAKE;
}

/* ---- server side --------------------------------------------------------------------------- */

void ntske_session_server(struct ntske_role *r, int fd, const char *peer, double now)
{
    struct ntske_session *s = free_session(r);
    char why[160];

    if (s == NULL) {
        log_debug("NTS-KE server: too many sessions, %s refused", peer);
        close(fd);
        return;
    }
    memset(s, 0, offsetof(struct ntske_session, in));
    s->server = true;
    s->fd = fd;
    s->deadline = now + NTSKE_TIMEOUT_S;
    msg_copy_str(s->host, sizeof(s->host), peer);
    s->tls = ntske_tls_new(r->creds, fd, NULL, why, sizeof(why));
    if (s->tls == NULL) {
        log_err("NTS-KE server: %s", why);
        ntske_session_end(s);
        return;
    }
    s->phase = NTSKE_HANDSHAKE;
    s->events = POLLIN;
}

static void server_reply_error(struct ntske_session *s, enum ntske_error_code code)
{
    int n = ntske_encode_error(code, s->out, sizeof(s->out));

    log_debug("NTS-KE server: %s: error %s", s->host, ntske_error_name(code));
    s->out_len = n > 0 ? (size_t)n : 0;
    s->out_sent = 0;
    s->close_after_send = true;
    s->phase = NTSKE_SEND;
}

/* The request arrived complete: ask the network child for cookies of the session's keys. */
static void server_request(struct ntske_role *r, struct ntske_session *s, size_t len)
{
    struct msg_ntske_cookie_req cr = {.count = NTS_MAX_COOKIES};
    struct ntske_request q;
    char why[160];

    if (ntske_decode_request(s->in, len, &q, why, sizeof(why)) < 0 || q.error >= 0) {
        server_reply_error(s,
                           q.error >= 0 ? (enum ntske_error_code)q.error : NTSKE_ERR_BAD_REQUEST);
        return;
    }
    if (!q.ntpv4 || ntske_tls_export_keys(s->tls, cr.c2s, cr.s2c) < 0) {
        server_reply_error(s, q.ntpv4 ? NTSKE_ERR_INTERNAL : NTSKE_ERR_BAD_REQUEST);
        return;
    }
    cr.id = s->id = ++r->next_cookie_id;
    memcpy(s->c2s, cr.c2s, sizeof(s->c2s));
    memcpy(s->s2c, cr.s2c, sizeof(s->s2c));
    if (!ntske_send_net(r, MSG_NTSKE_COOKIE_REQ, &cr, sizeof(cr))) {
        server_reply_error(s, NTSKE_ERR_INTERNAL);
        return;
    }
    memset(&cr, 0, sizeof(cr));
    s->phase = NTSKE_COOKIES;
    s->events = 0;
}

void ntske_session_cookies(struct ntske_role *r, const struct msg_ntske_cookies *c, double now)
{
    static struct ntske_response resp;
    int i, n;

    for (i = 0; i < NTSKE_MAX_SESSIONS; i++) {
        if (r->sessions[i].phase == NTSKE_COOKIES && r->sessions[i].id == c->id)
            break;
    }
    if (i == NTSKE_MAX_SESSIONS)
        return; /* its session timed out */
    struct ntske_session *s = &r->sessions[i];
    if (c->count == 0) {
        server_reply_error(s, NTSKE_ERR_INTERNAL); /* no cookie key yet */
        ntske_session_run(r, s, POLLOUT, now);
        return;
    }
    memset(&resp, 0, sizeof(resp));
    resp.ncookies = c->count;
    for (unsigned k = 0; k < c->count; k++) {
        resp.cookie_len[k] = c->cookie_len[k];
        memcpy(resp.cookies[k], c->cookies[k], c->cookie_len[k]);
    }
    if (r->cfg->nts_ntp_server != NULL)
        msg_copy_str(resp.server, sizeof(resp.server), r->cfg->nts_ntp_server);
    resp.port = (uint16_t)r->cfg->port;
    n = ntske_encode_response(&resp, s->out, sizeof(s->out));
    if (n < 0) {
        server_reply_error(s, NTSKE_ERR_INTERNAL);
    } else {
        s->out_len = (size_t)n;
        s->out_sent = 0;
        s->phase = NTSKE_SEND;
        log_debug("NTS-KE server: %s: %u cookies", s->host, c->count);
    }
    ntske_session_run(r, s, POLLOUT, now);
}

/* ---- both ---------------------------------------------------------------------------------- */

static void session_fail(struct ntske_role *r, struct ntske_session *s, enum msg_ntske_status st,
                         const char *why)
{
    if (s->server) {
        log_debug("NTS-KE server: %s: %s", s->host, why);
        ntske_session_end(s);
    } else {
        client_fail(r, s, st, why);
    }
}

static void handshaken(struct ntske_session *s)
{
    int n;

    s->in_len = 0;
    if (s->server) {
        s->phase = NTSKE_RECV;
        return;
    }
    n = ntske_encode_request(s->out, sizeof(s->out));
    s->out_len = n > 0 ? (size_t)n : 0;
    s->out_sent = 0;
    s->phase = NTSKE_SEND;
}

/* After the message was sent: the client waits for the response, the server is done. */
static void sent(struct ntske_session *s)
{
    if (s->server) {
        ntske_tls_bye(s->tls);
        ntske_session_end(s);
    } else {
        s->phase = NTSKE_RECV;
    }
}

/* Bytes of a message arrived: act when it is complete. */
static void received(struct ntske_role *r, struct ntske_session *s)
{
    long len = ntske_message_length(s->in, s->in_len);

    if (len < 0)
        session_fail(r, s, MSG_NTSKE_PROTOCOL, "malformed NTS-KE message");
    else if (len > 0 && s->server)
        server_request(r, s, (size_t)len);
    else if (len > 0)
        client_done(r, s, (size_t)len);
}

/* One step of the session; returns the TLS layer's answer. */
static enum ntske_tls_step step(struct ntske_role *r, struct ntske_session *s, char *why,
                                size_t whylen, bool *cert)
{
    enum ntske_tls_step st = NTSKE_TLS_DONE;

    *cert = false;
    switch (s->phase) {
    case NTSKE_HANDSHAKE:
        if ((st = ntske_tls_handshake(s->tls, cert, why, whylen)) == NTSKE_TLS_DONE)
            handshaken(s);
        break;
    case NTSKE_SEND:
        if ((st = ntske_tls_send(s->tls, s->out, s->out_len, &s->out_sent, why, whylen)) ==
            NTSKE_TLS_DONE)
            sent(s);
        break;
    case NTSKE_RECV:
        if ((st = ntske_tls_recv(s->tls, s->in, sizeof(s->in), &s->in_len, why, whylen)) ==
            NTSKE_TLS_DONE)
            received(r, s);
        break;
    default:
        break;
    }
    return st;
}

void ntske_session_run(struct ntske_role *r, struct ntske_session *s, short revents, double now)
{
    char why[256];
    bool cert;

    if (s->phase == NTSKE_CONNECTING && (revents & (POLLOUT | POLLERR | POLLHUP)))
        connected(r, s);
    for (int guard = 0; guard < 64 && s->phase != NTSKE_FREE && s->phase != NTSKE_CONNECTING &&
                        s->phase != NTSKE_COOKIES;
         guard++) {
        enum ntske_tls_step st = step(r, s, why, sizeof(why), &cert);

        if (st == NTSKE_TLS_FAILED) {
            session_fail(r, s, cert ? MSG_NTSKE_CERT : MSG_NTSKE_TLS, why);
            return;
        }
        if (st != NTSKE_TLS_DONE) {
            s->events = st == NTSKE_TLS_WANT_WRITE ? POLLOUT : POLLIN;
            break;
        }
    }
    if (s->phase != NTSKE_FREE && now >= s->deadline)
        session_fail(r, s, MSG_NTSKE_TIMEOUT, "no complete NTS-KE exchange within 10 s");
}
