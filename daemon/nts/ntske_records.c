// SPDX-License-Identifier: ISC
/* NTS-KE records (RFC 8915 section 4): encoding and checked decoding. */
#include "daemon/nts/ntske_records.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RECORD_HEADER_LEN 4

struct record {
    bool critical;
    uint16_t type;
    uint16_t len;
    const uint8_t *body;
};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The record at buf[*pos]: true and *pos advanced when a whole record is there. */
static bool next_record(const uint8_t *buf, size_t len, size_t *pos, struct record *r)
{
    if (len - *pos < RECORD_HEADER_LEN)
        return false;
    uint16_t t = get16(buf + *pos), n = get16(buf + *pos + 2);
    if (len - *pos - RECORD_HEADER_LEN < n)
        return false;
    r->critical = (t & NTSKE_CRITICAL) != 0;
    r->type = t & ~NTSKE_CRITICAL;
    r->len = n;
    r->body = buf + *pos + RECORD_HEADER_LEN;
    *pos += RECORD_HEADER_LEN + n;
    return true;
}

long ntske_message_length(const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    struct record r;

    while (next_record(buf, len, &pos, &r)) {
        if (r.type == NTSKE_END)
            return r.len == 0 ? (long)pos : -1;
        if (pos >= NTSKE_MAX_MESSAGE)
            return -1;
    }
    /* incomplete: a record that cannot fit the limit will never complete */
    if (len - pos >= RECORD_HEADER_LEN &&
        pos + RECORD_HEADER_LEN + get16(buf + pos + 2) > NTSKE_MAX_MESSAGE)
        return -1;
    return len >= NTSKE_MAX_MESSAGE ? -1 : 0;
}

/* Append a record; returns the new length or -1 when it does not fit. */
static int put_record(uint8_t *buf, size_t cap, int at, bool critical, unsigned type,
                      const uint8_t *body, size_t len)
{
    if (at < 0 || len > 0xffff || (size_t)at + RECORD_HEADER_LEN + len > cap)
        return -1;
    put16(buf + at, (critical ? NTSKE_CRITICAL : 0) | type);
    put16(buf + at + 2, (unsigned)len);
    if (len > 0)
        memcpy(buf + at + RECORD_HEADER_LEN, body, len);
    return at + RECORD_HEADER_LEN + (int)len;
}

static int put_u16_record(uint8_t *buf, size_t cap, int at, bool critical, unsigned type,
                          unsigned value)
{
    uint8_t body[2];

    put16(body, value);
    return put_record(buf, cap, at, critical, type, body, sizeof(body));
}

int ntske_encode_request(uint8_t *buf, size_t cap)
{
    int n = put_u16_record(buf, cap, 0, true, NTSKE_NEXT_PROTOCOL, NTS_PROTOCOL_NTPV4);

    n = put_u16_record(buf, cap, n, true, NTSKE_AEAD, NTS_AEAD_SIV_CMAC_256);
    return put_record(buf, cap, n, true, NTSKE_END, NULL, 0);
}

int ntske_encode_response(const struct ntske_response *r, uint8_t *buf, size_t cap)
{
    int n = put_u16_record(buf, cap, 0, true, NTSKE_NEXT_PROTOCOL, NTS_PROTOCOL_NTPV4);

    if (r->ncookies == 0 || r->ncookies > NTS_MAX_COOKIES)
        return -1;
    n = put_u16_record(buf, cap, n, true, NTSKE_AEAD, NTS_AEAD_SIV_CMAC_256);
    for (unsigned i = 0; i < r->ncookies; i++)
        n = put_record(buf, cap, n, false, NTSKE_NEW_COOKIE, r->cookies[i], r->cookie_len[i]);
    if (r->server[0] != '\0')
        n = put_record(buf, cap, n, true, NTSKE_SERVER, (const uint8_t *)r->server,
                       strlen(r->server));
    if (r->port != 0 && r->port != 123)
        n = put_u16_record(buf, cap, n, true, NTSKE_PORT_NEG, r->port);
    return put_record(buf, cap, n, true, NTSKE_END, NULL, 0);
}

int ntske_encode_error(enum ntske_error_code code, uint8_t *buf, size_t cap)
{
    int n = put_u16_record(buf, cap, 0, true, NTSKE_ERROR, code);

    return put_record(buf, cap, n, true, NTSKE_END, NULL, 0);
}

const char *ntske_error_name(unsigned code)
{
    switch (code) {
    case NTSKE_ERR_UNRECOGNIZED_CRITICAL:
        return "unrecognized critical record";
    case NTSKE_ERR_BAD_REQUEST:
        return "bad request";
    case NTSKE_ERR_INTERNAL:
        return "internal server error";
    default:
        return "unknown error";
    }
}

/* Does a list of 16-bit ids (an even-length body) contain want? */
static bool list_has(const struct record *r, unsigned want)
{
    for (size_t i = 0; i + 1 < r->len; i += 2) {
        if (get16(r->body + i) == want)
            return true;
    }
    return false;
}

/* One request record; false when the request must be answered with *error. */
static bool request_record(const struct record *r, struct ntske_request *q, unsigned *seen)
{
    switch (r->type) {
    case NTSKE_NEXT_PROTOCOL:
    case NTSKE_AEAD:
        if (r->len % 2 != 0 || (*seen & (1u << r->type)))
            return false;
        *seen |= 1u << r->type;
        if (r->type == NTSKE_NEXT_PROTOCOL)
            q->ntpv4 = list_has(r, NTS_PROTOCOL_NTPV4);
        else
            q->siv_cmac_256 = list_has(r, NTS_AEAD_SIV_CMAC_256);
        return true;
    case NTSKE_ERROR:
    case NTSKE_WARNING:
    case NTSKE_NEW_COOKIE:
        return false; /* only servers send these */
    case NTSKE_SERVER:
    case NTSKE_PORT_NEG:
        return true; /* a client's preference: the server decides */
    default:
        if (r->critical) {
            q->error = NTSKE_ERR_UNRECOGNIZED_CRITICAL;
            return false;
        }
        q->unknown++;
        return true;
    }
}

int ntske_decode_request(const uint8_t *buf, size_t len, struct ntske_request *q, char *err,
                         size_t errlen)
{
    struct record r;
    size_t pos = 0;
    unsigned seen = 0;

    memset(q, 0, sizeof(*q));
    q->error = -1;
    while (next_record(buf, len, &pos, &r)) {
        if (r.type == NTSKE_END) {
            if (r.len != 0 || pos != len)
                return fail(err, errlen, "octets after End of Message");
            if (q->error < 0 && !(seen & (1u << NTSKE_NEXT_PROTOCOL)))
                q->error = NTSKE_ERR_BAD_REQUEST;
            if (q->error < 0 && q->ntpv4 && !q->siv_cmac_256)
                q->error = NTSKE_ERR_BAD_REQUEST; /* no algorithm in common */
            return 0;
        }
        if (q->error < 0 && !request_record(&r, q, &seen) && q->error < 0)
            q->error = NTSKE_ERR_BAD_REQUEST;
    }
    return fail(err, errlen, "no End of Message record");
}

/* A Server Negotiation body: a host name or address, printable, without blanks. */
static bool server_ok(const struct record *r)
{
    if (r->len == 0 || r->len > NTSKE_SERVER_MAX)
        return false;
    for (size_t i = 0; i < r->len; i++) {
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-_",
                    r->body[i]) ||
            r->body[i] == '\0')
            return false;
    }
    return true;
}

static void take_cookie(const struct record *rec, struct ntske_response *r)
{
    if (r->ncookies == NTS_MAX_COOKIES)
        return;
    memcpy(r->cookies[r->ncookies], rec->body, rec->len);
    r->cookie_len[r->ncookies++] = rec->len;
}

/* One response record: 0, or -1 with the reason. */
static int response_record(const struct record *rec, struct ntske_response *r, unsigned *seen,
                           char *err, size_t errlen)
{
    if (rec->type <= NTSKE_PORT_NEG && rec->type != NTSKE_NEW_COOKIE && (*seen & (1u << rec->type)))
        return fail(err, errlen, "duplicate record of type %u", rec->type);
    *seen |= 1u << (rec->type <= NTSKE_PORT_NEG ? rec->type : 31);
    switch (rec->type) {
    case NTSKE_NEXT_PROTOCOL:
        if (rec->len != 2 || get16(rec->body) != NTS_PROTOCOL_NTPV4)
            return fail(err, errlen, "the server does not offer NTPv4");
        return 0;
    case NTSKE_AEAD:
        if (rec->len != 2 || get16(rec->body) != NTS_AEAD_SIV_CMAC_256)
            return fail(err, errlen, "the server does not offer AEAD_AES_SIV_CMAC_256");
        return 0;
    case NTSKE_ERROR:
        return fail(err, errlen, "the server sent an error: %s",
                    rec->len == 2 ? ntske_error_name(get16(rec->body)) : "malformed");
    case NTSKE_WARNING:
        return fail(err, errlen, "the server sent a warning (code %u)",
                    rec->len == 2 ? get16(rec->body) : 0xffffu);
    case NTSKE_NEW_COOKIE:
        if (rec->len == 0 || rec->len > NTS_COOKIE_MAX)
            return fail(err, errlen, "cookie of %u octets", rec->len);
        take_cookie(rec, r);
        return 0;
    case NTSKE_SERVER:
        if (!server_ok(rec))
            return fail(err, errlen, "malformed NTPv4 Server Negotiation record");
        memcpy(r->server, rec->body, rec->len);
        r->server[rec->len] = '\0';
        return 0;
    case NTSKE_PORT_NEG:
        if (rec->len != 2 || get16(rec->body) == 0)
            return fail(err, errlen, "malformed NTPv4 Port Negotiation record");
        r->port = get16(rec->body);
        return 0;
    default:
        return rec->critical ? fail(err, errlen, "unrecognized critical record type %u", rec->type)
                             : 0;
    }
}

int ntske_decode_response(const uint8_t *buf, size_t len, struct ntske_response *r, char *err,
                          size_t errlen)
{
    struct record rec;
    size_t pos = 0;
    unsigned seen = 0;

    memset(r, 0, sizeof(*r));
    while (next_record(buf, len, &pos, &rec)) {
        if (rec.type == NTSKE_END) {
            if (rec.len != 0 || pos != len)
                return fail(err, errlen, "octets after End of Message");
            if (!(seen & (1u << NTSKE_NEXT_PROTOCOL)))
                return fail(err, errlen, "no Next Protocol Negotiation record");
            if (!(seen & (1u << NTSKE_AEAD)))
                return fail(err, errlen, "no AEAD Algorithm Negotiation record");
            if (r->ncookies == 0)
                return fail(err, errlen, "no cookie");
            return 0;
        }
        if (response_record(&rec, r, &seen, err, errlen) < 0)
            return -1;
    }
    return fail(err, errlen, "no End of Message record");
}
