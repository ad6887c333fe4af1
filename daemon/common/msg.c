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

#include "daemon/common/log.h"
#include "daemon/common/msg_int.h"
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
    case MSG_SOURCE_ANSWERED:
        return sizeof(struct msg_source_ref);
    case MSG_SAMPLE:
        return sizeof(struct msg_sample);
    case MSG_SERVER_STATS:
        return sizeof(struct msg_server_counters);
    case MSG_LOG:
        return sizeof(struct msg_log);
    case MSG_HEARTBEAT:
        return sizeof(struct msg_heartbeat);
    case MSG_CLOCK_MAP:
        return sizeof(struct msg_clock_map);
    case MSG_SNAPSHOT:
        return sizeof(struct msg_snapshot);
    case MSG_BURST:
        return sizeof(struct msg_burst);
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
bool msg_str_ok(const char *s, size_t len)
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
    if (m->pad != 0 || !msg_str_ok(m->name, sizeof(m->name)))
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
        m->rx_source > DISC_TS_HARDWARE || (m->flags & ~MSG_SAMPLE_INTERLEAVED) != 0 ||
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
    if (!in_range(m->age_s, 0, MSG_MAX_SAMPLE_AGE_S) ||
        (m->age_s > 0) != ((m->flags & MSG_SAMPLE_INTERLEAVED) != 0))
        return fail(err, errlen, "SAMPLE age or interleaved flag out of range");
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

/* The mode 6 fields of a source in use: an association ID no other source has, ranges. */
static bool source_mode6_ok(const struct msg_snapshot *m, int i)
{
    const struct msg_source_state *s = &m->sources[i];

    if (s->assoc_id == 0 || s->precision_log2 < -32 || s->precision_log2 > 0 || s->pad2[0] != 0 ||
        s->pad2[1] != 0 || s->pad2[2] != 0 || !in_range(s->server_root_delay_s, 0, 16) ||
        !in_range(s->server_root_dispersion_s, 0, 16))
        return false;
    for (int k = 0; k < i; k++) {
        if (m->sources[k].in_use && m->sources[k].assoc_id == s->assoc_id)
            return false;
    }
    return true;
}

/* Every double of a snapshot is finite and within +-MSG_SNAPSHOT_MAX_ABS (a step of 1e9 s is
 * the largest a clock driver takes); the non-negative ones are >= 0. */
#define MSG_SNAPSHOT_MAX_ABS 1e12

static bool finite_ok(double v)
{
    return in_range(v, -MSG_SNAPSHOT_MAX_ABS, MSG_SNAPSHOT_MAX_ABS);
}

static bool nonneg_ok(double v)
{
    return in_range(v, 0, MSG_SNAPSHOT_MAX_ABS);
}

/* An enum the discipline names (a new value is accepted once it has a name). */
static bool sync_reason_ok(unsigned r)
{
    return strcmp(disc_sync_reason_str((enum disc_sync_reason)r), "unknown") != 0;
}

static bool source_reason_ok(unsigned r)
{
    return strcmp(disc_reason_str((enum disc_reason)r), "unknown") != 0;
}

static bool poll_ok(int p)
{
    return p >= MSG_POLL_MIN_LOG2 && p <= MSG_POLL_MAX_LOG2;
}

/* All len octets are 0: the first is, and each equals the next (one memcmp, not a loop over
 * a snapshot's unused slots). */
static bool zero(const void *p, size_t len)
{
    const uint8_t *b = p;

    return len == 0 || (b[0] == 0 && memcmp(b, b + 1, len - 1) == 0);
}

static bool assoc_in_use(const struct msg_snapshot *m, uint16_t assoc)
{
    for (int i = 0; i < MSG_MAX_SOURCES; i++) {
        if (m->sources[i].in_use && m->sources[i].assoc_id == assoc)
            return true;
    }
    return false;
}

static bool system_mode6_ok(const struct msg_snapshot *m)
{
    return (m->sys_peer_assoc == 0 || assoc_in_use(m, m->sys_peer_assoc)) &&
           m->min_poll_log2 >= -7 && m->min_poll_log2 <= 17 && m->leap_known <= 1 &&
           m->tai_offset_s >= 0 && m->tai_offset_s <= 1000 && m->leap_last_s >= 0 &&
           m->leap_last_s < (int64_t)1 << 40 && m->leap_expire_s >= 0 &&
           m->leap_expire_s < (int64_t)1 << 40;
}

static bool source_state_ok(const struct msg_source_state *s)
{
    return s->in_use == 1 && s->slot < MSG_MAX_SOURCES && s->kind <= MSG_KIND_REFCLOCK &&
           s->tally != 0 && strchr(" x.-+#*", s->tally) != NULL && s->stratum <= 16 &&
           s->leap <= 3 && s->ts_source <= DISC_TS_REFCLOCK && source_reason_ok(s->reason) &&
           poll_ok(s->poll_log2) && s->prefer <= 1 && s->noselect <= 1 &&
           s->tx_source <= DISC_TS_REFCLOCK && s->rx_source <= DISC_TS_REFCLOCK &&
           s->interleaved <= 1 && zero(s->pad, sizeof(s->pad)) && s->pad3 == 0 &&
           finite_ok(s->offset_s) && nonneg_ok(s->freq_sd_ppm) && nonneg_ok(s->offset_sd_s) &&
           finite_ok(s->freq_ppm) && nonneg_ok(s->delay_s) && nonneg_ok(s->jitter_s) &&
           nonneg_ok(s->dispersion_s) && nonneg_ok(s->root_distance_s) &&
           in_range(s->age_s, -1, MSG_SNAPSHOT_MAX_ABS) && msg_str_ok(s->name, sizeof(s->name)) &&
           msg_str_ok(s->addr, sizeof(s->addr));
}

/* The NTS fields of a source in use: enums and counts in range, padding zero. */
static bool source_nts_ok(const struct msg_source_state *s)
{
    return s->nts_state <= MSG_NTS_UNAVAILABLE && s->nts_cookies <= MSG_NTS_COOKIES &&
           s->nts_ke_status < MSG_NTSKE_STATUS_COUNT && s->pad4 == 0 &&
           in_range(s->nts_ke_age_s, -1, MSG_SNAPSHOT_MAX_ABS);
}

static bool system_times_ok(const struct msg_snapshot *m)
{
    return time_ok(&m->ref_time) && time_ok(&m->last_step_time) && time_ok(&m->now);
}

static bool system_doubles_ok(const struct msg_snapshot *m)
{
    return nonneg_ok(m->root_delay_s) && nonneg_ok(m->root_dispersion_s) &&
           finite_ok(m->offset_s) && nonneg_ok(m->jitter_s) && finite_ok(m->freq_ppm) &&
           nonneg_ok(m->freq_sd_ppm) && finite_ok(m->applied_freq_ppm) &&
           finite_ok(m->last_step_s) && finite_ok(m->refused_offset_s) && nonneg_ok(m->max_error_s);
}

/* Every field: enums, counts, slots, tallies, times, doubles (no NaN or infinity), strings;
 * the entries after nsources are unused (all zero). */
static int check_snapshot(const struct msg_snapshot *m, char *err, size_t errlen)
{
    int i, j;

    if (m->sync_state > MSG_SYNC_LOCAL || !sync_reason_ok(m->sync_reason) || m->leap > 3 ||
        m->stratum > 16 || m->nsources < 0 || m->nsources > MSG_MAX_SOURCES ||
        m->sys_peer_slot < -1 || m->sys_peer_slot >= MSG_MAX_SOURCES || !poll_ok(m->poll_log2) ||
        m->steps < 0 || m->unsync_for_s < 0)
        return fail(err, errlen, "SNAPSHOT system fields out of range");
    if (!system_times_ok(m) || !system_doubles_ok(m))
        return fail(err, errlen, "SNAPSHOT system times or values out of range");
    if (!msg_str_ok(m->driver, sizeof(m->driver)) || !msg_str_ok(m->reason, sizeof(m->reason)))
        return fail(err, errlen, "SNAPSHOT strings malformed");
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        const struct msg_source_state *s = &m->sources[i];

        if (i >= m->nsources ? !zero(s, sizeof(*s)) : !source_state_ok(s))
            return fail(err, errlen, "SNAPSHOT source %d malformed", i);
        if (i < m->nsources && !source_mode6_ok(m, i))
            return fail(err, errlen, "SNAPSHOT source %d association fields out of range", i);
        if (i < m->nsources && !source_nts_ok(s))
            return fail(err, errlen, "SNAPSHOT source %d NTS fields out of range", i);
        for (j = 0; j < i && i < m->nsources; j++) {
            if (m->sources[j].slot == s->slot)
                return fail(err, errlen, "SNAPSHOT slot %u listed twice", s->slot);
        }
    }
    if (!system_mode6_ok(m))
        return fail(err, errlen, "SNAPSHOT association or leap fields out of range");
    return 0;
}

static int check_log(const struct msg_log *m, char *err, size_t errlen)
{
    if (m->level < LOG_ERR || m->level > LOG_DEBUG || m->cls > LOG_CLASS_PLAIN ||
        !zero(m->pad, sizeof(m->pad)))
        return fail(err, errlen, "LOG level %u or class %u out of range", m->level, m->cls);
    return msg_str_ok(m->text, sizeof(m->text)) ? 0 : fail(err, errlen, "LOG text malformed");
}

/* A host name or numeric address: [A-Za-z0-9.:_-]+ (also the "%zone" of an IPv6 literal). */
bool msg_host_ok(const char *s, size_t len)
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
    case MSG_SOURCE_ANSWERED:
        return ref->slot < MSG_NTP_SLOTS && ref->flags < MSG_REJECT_COUNT
                   ? 0
                   : fail(err, errlen, "ANSWERED: slot %u or reason %u out of range", ref->slot,
                          ref->flags);
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
    case MSG_SERVER_STATS: /* counters: any value is one; the parent only records them */
        return 0;
    case MSG_LOG:
        return check_log(p, err, errlen);
    case MSG_HEARTBEAT:
        return ((const struct msg_heartbeat *)p)->pad == 0
                   ? 0
                   : fail(err, errlen, "HEARTBEAT padding not zero");
    case MSG_CLOCK_MAP:
        return check_clock_map(p, err, errlen);
    case MSG_SNAPSHOT:
        return check_snapshot(p, err, errlen);
    case MSG_RESOLVE: {
        const struct msg_resolve *r = p;
        return (r->family == 0 || r->family == 4 || r->family == 6) &&
                       msg_host_ok(r->name, sizeof(r->name))
                   ? 0
                   : fail(err, errlen, "RESOLVE family or name malformed");
    }
    case MSG_RESOLVED:
        return check_resolved(p, err, errlen);
    case MSG_BURST:
        return ((const struct msg_burst *)p)->reason >= MSG_BURST_VMCLOCK &&
                       ((const struct msg_burst *)p)->reason <= MSG_BURST_RESUMED &&
                       ((const struct msg_burst *)p)->pad == 0
                   ? 0
                   : fail(err, errlen, "BURST reason or padding malformed");
    case MSG_CHANNEL:
        return ((const struct msg_channel *)p)->pad == 0
                   ? 0
                   : fail(err, errlen, "CHANNEL padding not zero");
    case MSG_NTS_KEYS:
    case MSG_NTSKE_LISTEN:
    case MSG_NTSKE_REQUEST:
    case MSG_NTSKE_RESULT:
    case MSG_NTSKE_COOKIE_REQ:
    case MSG_NTSKE_COOKIES: {
        const char *why = msg_nts_payload_problem(type, p);
        return why == NULL ? 0 : fail(err, errlen, "%s", why);
    }
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

static struct {
    int fd;
    uint32_t seq;
    char tag[32];
} log_socket = {.fd = -1};

static void forward_to_socket(int level, enum log_class cls, const char *text, void *ctx)
{
    struct {
        struct msg_header hdr;
        struct msg_log log;
    } m;
    char line[MSG_LOG_TEXT_LEN];

    (void)ctx;
    memset(&m, 0, sizeof(m));
    m.hdr = (struct msg_header){
        .version = MSG_VERSION, .type = MSG_LOG, .length = sizeof(m), .seq = log_socket.seq};
    m.log.level = (uint8_t)(level < LOG_ERR ? LOG_ERR : level > LOG_DEBUG ? LOG_DEBUG : level);
    m.log.cls = (uint8_t)cls;
    snprintf(line, sizeof(line), "%s%s", log_socket.tag, text);
    msg_copy_str(m.log.text, sizeof(m.log.text), line);
    if (send(log_socket.fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(m))
        log_socket.seq++;
}

void msg_forward_log_to(int fd, const char *tag)
{
    log_socket.fd = fd;
    log_socket.seq = 1;
    snprintf(log_socket.tag, sizeof(log_socket.tag), "%s", tag);
    log_set_forward(forward_to_socket, NULL);
    log_detach();
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
