// SPDX-License-Identifier: ISC
/* The inter-process message schema: sizes, validation of every field, sending. */
#include "daemon/common/msg.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "discipline/discipline.h"

/* Largest |server - client| time a sample may carry, s: half an NTP era, the most an NTP
 * timestamp can express around the client's time (a clock booted at 1970 can still be set). */
#define MSG_MAX_OFFSET_S 2147483648.0

size_t msg_payload_size(uint16_t type)
{
    switch (type) {
    case MSG_HELLO:
        return sizeof(struct msg_hello);
    case MSG_SOURCE_ADD:
        return sizeof(struct msg_source_add);
    case MSG_SOURCE_REMOVE:
    case MSG_SOURCE_POLLED:
        return sizeof(struct msg_source_ref);
    case MSG_SAMPLE:
        return sizeof(struct msg_sample);
    case MSG_CLOCK_MAP:
        return sizeof(struct msg_clock_map);
    case MSG_SNAPSHOT:
        return sizeof(struct msg_snapshot);
    case MSG_CTL_REQUEST:
        return sizeof(struct msg_source_ref);
    case MSG_RESOLVE:
        return sizeof(struct msg_resolve);
    case MSG_RESOLVED:
        return sizeof(struct msg_resolved);
    case MSG_CHANNEL:
        return sizeof(struct msg_channel);
    case MSG_NTS_KEYS:
        return sizeof(struct msg_nts_keys);
    case MSG_NTSKE_LISTEN:
        return sizeof(struct msg_ntske_listen);
    case MSG_NTSKE_REQUEST:
        return sizeof(struct msg_ntske_request);
    case MSG_NTSKE_RESULT:
        return sizeof(struct msg_ntske_result);
    case MSG_NTSKE_COOKIE_REQ:
        return sizeof(struct msg_ntske_cookie_req);
    case MSG_NTSKE_COOKIES:
        return sizeof(struct msg_ntske_cookies);
    default:
        return 0;
    }
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

static bool time_ok(const struct msg_time *t)
{
    return t->sec >= 0 && t->sec < (int64_t)1 << 40 && t->nsec >= 0 && t->nsec < 1000000000 &&
           t->pad == 0;
}

static bool in_range(double v, double lo, double hi)
{
    return isfinite(v) && v >= lo && v <= hi;
}

/* A fixed string field: NUL-terminated within its array, printable ASCII. */
static bool str_ok(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len && s[i] != '\0'; i++) {
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return false;
    }
    return i < len;
}

static int check_source_add(const struct msg_source_add *m, char *err, size_t errlen)
{
    if (m->slot >= MSG_NTP_SLOTS)
        return fail(err, errlen, "SOURCE_ADD slot %u out of range", m->slot);
    if (m->kind != MSG_KIND_SERVER && m->kind != MSG_KIND_POOL)
        return fail(err, errlen, "SOURCE_ADD kind %u is not an NTP source", m->kind);
    if (m->pad != 0 || !str_ok(m->name, sizeof(m->name)))
        return fail(err, errlen, "SOURCE_ADD padding or name malformed");
    if (m->family != AF_INET && m->family != AF_INET6)
        return fail(err, errlen, "SOURCE_ADD family %u unknown", m->family);
    if (m->port == 0 || m->port > 65535)
        return fail(err, errlen, "SOURCE_ADD port %u out of range", m->port);
    return 0;
}

static int check_sample(const struct msg_sample *m, char *err, size_t errlen)
{
    if (m->slot >= MSG_NTP_SLOTS)
        return fail(err, errlen, "SAMPLE slot %u out of range", m->slot);
    if (m->ts_source > DISC_TS_HARDWARE || m->tx_source > DISC_TS_HARDWARE ||
        m->rx_source > DISC_TS_HARDWARE || m->pad0 != 0 ||
        m->ts_source != (m->tx_source < m->rx_source ? m->tx_source : m->rx_source))
        return fail(err, errlen, "SAMPLE timestamp sources malformed");
    if (!time_ok(&m->t1) || !time_ok(&m->t2) || !time_ok(&m->t3) || !time_ok(&m->t4))
        return fail(err, errlen, "SAMPLE timestamp out of range");
    if (!in_range(m->root_delay_s, 0, 16) || !in_range(m->root_dispersion_s, 0, 16))
        return fail(err, errlen, "SAMPLE root delay/dispersion out of range");
    if (m->stratum < 1 || m->stratum > 16 || m->leap > 3 || m->pad != 0 || m->pad1 != 0 ||
        m->map_generation == 0)
        return fail(err, errlen, "SAMPLE stratum %u or leap %u out of range", m->stratum, m->leap);
    if (m->precision_log2 < -32 || m->precision_log2 > 0)
        return fail(err, errlen, "SAMPLE precision %d out of range", m->precision_log2);
    if (fabs((double)(m->t2.sec - m->t1.sec)) > MSG_MAX_OFFSET_S ||
        fabs((double)(m->t4.sec - m->t1.sec)) > 16 || fabs((double)(m->t3.sec - m->t2.sec)) > 16)
        return fail(err, errlen, "SAMPLE timestamps inconsistent");
    return 0;
}

static int check_clock_map(const struct msg_clock_map *m, char *err, size_t errlen)
{
    struct clk_map map;

    if (!time_ok(&m->host_ref) || m->generation == 0 || m->pad != 0)
        return fail(err, errlen, "CLOCK_MAP time, generation or padding out of range");
    msg_clock_map_to_clk(m, &map);
    return clk_map_valid(&map) ? 0 : fail(err, errlen, "CLOCK_MAP out of range");
}

static int check_snapshot(const struct msg_snapshot *m, char *err, size_t errlen)
{
    int i;

    if (m->sync_state > MSG_SYNC_LOCAL || m->leap > 3 || m->stratum > 16 || m->nsources < 0 ||
        m->nsources > MSG_MAX_SOURCES)
        return fail(err, errlen, "SNAPSHOT system fields out of range");
    if (!str_ok(m->driver, sizeof(m->driver)) || !str_ok(m->reason, sizeof(m->reason)))
        return fail(err, errlen, "SNAPSHOT strings malformed");
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        const struct msg_source_state *s = &m->sources[i];

        if (s->in_use && (!str_ok(s->name, sizeof(s->name)) || !str_ok(s->addr, sizeof(s->addr))))
            return fail(err, errlen, "SNAPSHOT source %d strings malformed", i);
        if (s->nts_state > MSG_NTS_UNAVAILABLE || s->nts_cookies > MSG_NTS_COOKIES ||
            s->nts_ke_status >= MSG_NTSKE_STATUS_COUNT)
            return fail(err, errlen, "SNAPSHOT source %d NTS fields out of range", i);
    }
    return 0;
}

/* A host name or numeric address: [A-Za-z0-9.:_-]+ (also the "%zone" of an IPv6 literal). */
static bool host_ok(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len && s[i] != '\0'; i++) {
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:_-%", s[i]))
            return false;
    }
    return i > 0 && i < len;
}

static int check_resolved(const struct msg_resolved *m, char *err, size_t errlen)
{
    uint32_t i;

    if (m->count > MSG_MAX_ADDRS || m->pad != 0 || (m->error != 0 && m->count != 0))
        return fail(err, errlen, "RESOLVED count %u out of range", m->count);
    for (i = 0; i < m->count; i++) {
        if ((m->addrs[i].family != AF_INET && m->addrs[i].family != AF_INET6) ||
            m->addrs[i].pad != 0)
            return fail(err, errlen, "RESOLVED address %u malformed", i);
    }
    return 0;
}

static int check_nts_keys(const struct msg_nts_keys *m, char *err, size_t errlen)
{
    if (m->count > MSG_NTS_SERVER_KEYS || m->pad != 0)
        return fail(err, errlen, "NTS_KEYS count %u out of range", m->count);
    for (uint32_t i = 0; i < m->count; i++) {
        if (m->keys[i].pad != 0 || m->keys[i].created < 0)
            return fail(err, errlen, "NTS_KEYS key %u malformed", i);
        for (uint32_t j = 0; j < i; j++) {
            if (m->keys[j].id == m->keys[i].id)
                return fail(err, errlen, "NTS_KEYS key id %08x repeated", m->keys[i].id);
        }
    }
    return 0;
}

/* Cookie lengths: 1 .. MSG_NTS_COOKIE_LEN for the first n, 0 after. */
static bool cookie_lens_ok(const uint16_t *len, uint32_t n)
{
    for (uint32_t i = 0; i < MSG_NTS_COOKIES; i++) {
        if (i < n ? len[i] == 0 || len[i] > MSG_NTS_COOKIE_LEN : len[i] != 0)
            return false;
    }
    return true;
}

static int check_ntske_request(const struct msg_ntske_request *m, char *err, size_t errlen)
{
    if ((m->family != AF_INET && m->family != AF_INET6) || m->port == 0 || m->port > 65535 ||
        m->pad != 0 || !host_ok(m->host, sizeof(m->host)))
        return fail(err, errlen, "NTSKE_REQUEST address, port or host malformed");
    return 0;
}

static int check_ntske_result(const struct msg_ntske_result *m, char *err, size_t errlen)
{
    bool ok = m->status == MSG_NTSKE_OK;

    if (m->status >= MSG_NTSKE_STATUS_COUNT || m->ntp_port > 65535 ||
        (ok ? m->ncookies == 0 || m->ncookies > MSG_NTS_COOKIES : m->ncookies != 0) ||
        !cookie_lens_ok(m->cookie_len, m->ncookies))
        return fail(err, errlen, "NTSKE_RESULT status, port or cookies malformed");
    if ((m->ntp_server[0] != '\0' && !host_ok(m->ntp_server, sizeof(m->ntp_server))) ||
        !str_ok(m->ntp_server, sizeof(m->ntp_server)) || !str_ok(m->reason, sizeof(m->reason)))
        return fail(err, errlen, "NTSKE_RESULT strings malformed");
    return 0;
}

static int check_ntske_cookies(const struct msg_ntske_cookies *m, char *err, size_t errlen)
{
    if (m->count > MSG_NTS_COOKIES || !cookie_lens_ok(m->cookie_len, m->count))
        return fail(err, errlen, "NTSKE_COOKIES count or lengths malformed");
    return 0;
}

int msg_check_payload(uint16_t type, const void *p, char *err, size_t errlen)
{
    const struct msg_source_ref *ref = p;

    switch (type) {
    case MSG_HELLO:
        return ((const struct msg_hello *)p)->max_sources == MSG_MAX_SOURCES
                   ? 0
                   : fail(err, errlen, "HELLO from a child with another source table size");
    case MSG_SOURCE_ADD:
        return check_source_add(p, err, errlen);
    case MSG_SOURCE_REMOVE:
    case MSG_SOURCE_POLLED:
    case MSG_CTL_REQUEST:
        return ref->slot < MSG_NTP_SLOTS &&
                       (ref->flags & ~(type == MSG_SOURCE_POLLED ? MSG_POLL_RETRY : 0u)) == 0
                   ? 0
                   : fail(err, errlen, "message type %u: slot %u or flags out of range", type,
                          ref->slot);
    case MSG_SAMPLE:
        return check_sample(p, err, errlen);
    case MSG_CLOCK_MAP:
        return check_clock_map(p, err, errlen);
    case MSG_SNAPSHOT:
        return check_snapshot(p, err, errlen);
    case MSG_RESOLVE: {
        const struct msg_resolve *r = p;
        return (r->family == 0 || r->family == 4 || r->family == 6) &&
                       host_ok(r->name, sizeof(r->name))
                   ? 0
                   : fail(err, errlen, "RESOLVE family or name malformed");
    }
    case MSG_RESOLVED:
        return check_resolved(p, err, errlen);
    case MSG_CHANNEL:
        return ((const struct msg_channel *)p)->pad == 0
                   ? 0
                   : fail(err, errlen, "CHANNEL padding not zero");
    case MSG_NTS_KEYS:
        return check_nts_keys(p, err, errlen);
    case MSG_NTSKE_LISTEN: {
        const struct msg_ntske_listen *l = p;
        return (l->family == AF_INET || l->family == AF_INET6) && l->pad == 0
                   ? 0
                   : fail(err, errlen, "NTSKE_LISTEN family or padding malformed");
    }
    case MSG_NTSKE_REQUEST:
        return check_ntske_request(p, err, errlen);
    case MSG_NTSKE_RESULT:
        return check_ntske_result(p, err, errlen);
    case MSG_NTSKE_COOKIE_REQ: {
        const struct msg_ntske_cookie_req *c = p;
        return c->count >= 1 && c->count <= MSG_NTS_COOKIES
                   ? 0
                   : fail(err, errlen, "NTSKE_COOKIE_REQ count %u out of range", c->count);
    }
    case MSG_NTSKE_COOKIES:
        return check_ntske_cookies(p, err, errlen);
    default:
        return fail(err, errlen, "unknown message type %u", type);
    }
}

int msg_validate(const void *buf, size_t len, uint32_t *expected_seq, struct msg_header *hdr,
                 const void **payload, char *err, size_t errlen)
{
    size_t want;

    if (len < sizeof(*hdr))
        return fail(err, errlen, "message of %zu octets is shorter than a header", len);
    memcpy(hdr, buf, sizeof(*hdr));
    if (hdr->version != MSG_VERSION)
        return fail(err, errlen, "message version %u, expected %u", hdr->version, MSG_VERSION);
    want = msg_payload_size(hdr->type);
    if (want == 0)
        return fail(err, errlen, "unknown message type %u", hdr->type);
    if (hdr->length != len || len != sizeof(*hdr) + want || hdr->reserved != 0)
        return fail(err, errlen, "message type %u: length %u (datagram %zu), expected %zu",
                    hdr->type, hdr->length, len, sizeof(*hdr) + want);
    if (hdr->seq != *expected_seq)
        return fail(err, errlen, "message sequence %u, expected %u", hdr->seq, *expected_seq);
    if (msg_check_payload(hdr->type, (const uint8_t *)buf + sizeof(*hdr), err, errlen) < 0)
        return -1;
    (*expected_seq)++;
    *payload = (const uint8_t *)buf + sizeof(*hdr);
    return 0;
}

int msg_send(int fd, uint16_t type, uint32_t *seq, const void *payload, size_t len)
{
    return msg_send_fd(fd, type, seq, payload, len, -1);
}

int msg_send_fd(int fd, uint16_t type, uint32_t *seq, const void *payload, size_t len, int pass_fd)
{
    struct msg_header hdr = {
        .version = MSG_VERSION,
        .type = type,
        .length = (uint32_t)(sizeof(hdr) + len),
        .seq = *seq,
    };
    struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {(void *)payload, len}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    ssize_t n;

    if (pass_fd >= 0) {
        struct cmsghdr *c;

        memset(&control, 0, sizeof(control));
        mh.msg_control = control.buf;
        mh.msg_controllen = sizeof(control.buf);
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    }
    do {
        n = sendmsg(fd, &mh, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    (*seq)++;
    return 0;
}

ssize_t msg_recv_fd(int fd, void *buf, size_t len, int *pass_fd)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {buf, len};
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf)};
    struct cmsghdr *c;
    ssize_t n;

    *pass_fd = -1;
    do {
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int)) && *pass_fd < 0)
            memcpy(pass_fd, CMSG_DATA(c), sizeof(int));
    }
    if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        if (*pass_fd >= 0)
            close(*pass_fd);
        *pass_fd = -1;
        errno = EMSGSIZE;
        return -1;
    }
    return n;
}

struct msg_time msg_time_from_timespec(struct timespec ts)
{
    struct msg_time t = {.sec = ts.tv_sec, .nsec = (int32_t)ts.tv_nsec};
    return t;
}

struct timespec msg_time_to_timespec(struct msg_time t)
{
    struct timespec ts = {.tv_sec = (time_t)t.sec, .tv_nsec = t.nsec};
    return ts;
}

void msg_clock_map_from_clk(const struct clk_map *map, struct msg_clock_map *out)
{
    memset(out, 0, sizeof(*out));
    out->host_ref = msg_time_from_timespec(map->host_ref);
    out->offset_ref_s = map->offset_ref;
    out->rate_ppm = map->rate_ppm;
}

void msg_clock_map_to_clk(const struct msg_clock_map *in, struct clk_map *map)
{
    map->host_ref = msg_time_to_timespec(in->host_ref);
    map->offset_ref = in->offset_ref_s;
    map->rate_ppm = in->rate_ppm;
}

void msg_copy_str(char *dst, size_t dstlen, const char *src)
{
    size_t i;

    if (dstlen == 0)
        return;
    for (i = 0; i + 1 < dstlen && src[i] != '\0'; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
    }
    memset(dst + i, 0, dstlen - i);
}
