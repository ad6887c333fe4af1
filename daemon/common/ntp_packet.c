// SPDX-License-Identifier: ISC
/* NTP wire codec and time formats; see ntp_packet.h. */
#include "daemon/common/ntp_packet.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define NS_PER_S    1000000000u
#define TWO_POW_32  4294967296.0 /* 2^32 as a double */
#define SHORT_MAX_S 65536.0      /* first value the short format cannot hold */

const char *ntp_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
    case NTP_ERR_TRUNCATED:
        return "packet shorter than the NTP header";
    case NTP_ERR_TOO_LONG:
        return "packet longer than the maximum accepted";
    case NTP_ERR_VERSION:
        return "unsupported NTP version";
    case NTP_ERR_MODE:
        return "unexpected NTP mode";
    case NTP_ERR_CONTROL:
        return "mode 6 control packet";
    case NTP_ERR_EF_LENGTH:
        return "bad extension field length";
    case NTP_ERR_TRAILER:
        return "trailing data is neither extension fields nor a MAC";
    case NTP_ERR_CTL_COUNT:
        return "mode 6 data count exceeds the packet";
    case NTP_ERR_BUFFER:
        return "output buffer too small";
    case NTP_ERR_FIELD:
        return "field value out of range";
    default:
        return "unknown error";
    }
}

/* --- Byte access ------------------------------------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t get64(const uint8_t *p)
{
    return ((uint64_t)get32(p) << 32) | get32(p + 4);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

/* --- Timestamps -------------------------------------------------------------------------- */

/* Splits ts into whole seconds and 0 <= ns < 1e9 (tolerates an unnormalised tv_nsec). */
static void split_timespec(const struct timespec *ts, int64_t *sec, int64_t *nsec)
{
    *sec = (int64_t)ts->tv_sec + ts->tv_nsec / NS_PER_S;
    *nsec = ts->tv_nsec % NS_PER_S;
    if (*nsec < 0) {
        *nsec += NS_PER_S;
        (*sec)--;
    }
}

uint64_t ntp_ts64_from_timespec(const struct timespec *ts)
{
    int64_t sec, nsec;

    split_timespec(ts, &sec, &nsec);
    /* frac = round(nsec * 2^32 / 1e9) < 2^32 for nsec < 1e9 */
    uint64_t frac = (((uint64_t)nsec << 32) + NS_PER_S / 2) / NS_PER_S;
    uint32_t ntp_sec = (uint32_t)((uint64_t)sec + NTP_UNIX_EPOCH_SECS);

    return ((uint64_t)ntp_sec << 32) | frac;
}

/* Reinterprets a 64-bit two's-complement pattern as signed without implementation-defined
 * conversion. */
static int64_t to_signed64(uint64_t v)
{
    if (v <= INT64_MAX)
        return (int64_t)v;
    return -(int64_t)(~v) - 1;
}

struct timespec ntp_ts64_to_timespec(uint64_t ntp_ts, const struct timespec *pivot)
{
    uint64_t pivot_ts = ntp_ts64_from_timespec(pivot);
    int64_t pivot_sec, pivot_nsec;

    split_timespec(pivot, &pivot_sec, &pivot_nsec);
    pivot_sec += NTP_UNIX_EPOCH_SECS; /* unwrapped NTP seconds: may pass an era or be negative */

    /* Signed distance from the pivot to the nearest time with these low 64 bits. */
    int64_t diff = to_signed64(ntp_ts - pivot_ts);
    uint64_t frac = (pivot_ts & 0xffffffffu) + ((uint64_t)diff & 0xffffffffu);
    int64_t sec = pivot_sec + (diff >> 32) + (int64_t)(frac >> 32);
    frac &= 0xffffffffu;

    uint64_t nsec = (frac * NS_PER_S + (1u << 31)) >> 32;
    if (nsec == NS_PER_S) {
        nsec = 0;
        sec++;
    }
    return (struct timespec){.tv_sec = (time_t)(sec - NTP_UNIX_EPOCH_SECS), .tv_nsec = (long)nsec};
}

double ntp_ts64_diff(uint64_t a, uint64_t b)
{
    return (double)to_signed64(a - b) / TWO_POW_32;
}

uint64_t ntp_ts64_add(uint64_t ts, double offset_s)
{
    int64_t delta = llround(offset_s * TWO_POW_32);
    return ts + (uint64_t)delta;
}

double ntp_short_to_double(uint32_t v)
{
    return v / 65536.0;
}

uint32_t ntp_short_from_double(double s)
{
    if (!(s > 0.0))
        return 0;
    if (s >= SHORT_MAX_S)
        return UINT32_MAX;
    double units = nearbyint(s * 65536.0);
    return units >= 4294967295.0 ? UINT32_MAX : (uint32_t)units;
}

/* --- Headers ----------------------------------------------------------------------------- */

static bool version_supported(uint8_t version)
{
    return version >= 1 && version <= 4;
}

int ntp_header_decode(const uint8_t *buf, size_t len, struct ntp_header *out)
{
    if (len < NTP_HEADER_LEN)
        return NTP_ERR_TRUNCATED;
    struct ntp_header h = {
        .leap = buf[0] >> 6,
        .version = (buf[0] >> 3) & 7,
        .mode = buf[0] & 7,
        .stratum = buf[1],
        .poll = (int8_t)buf[2],
        .precision = (int8_t)buf[3],
        .root_delay = get32(buf + 4),
        .root_dispersion = get32(buf + 8),
        .reference_ts = get64(buf + 16),
        .origin_ts = get64(buf + 24),
        .receive_ts = get64(buf + 32),
        .transmit_ts = get64(buf + 40),
    };
    memcpy(h.refid, buf + 12, 4);
    if (!version_supported(h.version))
        return NTP_ERR_VERSION;
    *out = h;
    return 0;
}

int ntp_header_encode(const struct ntp_header *hdr, uint8_t *buf, size_t len)
{
    if (len < NTP_HEADER_LEN)
        return NTP_ERR_BUFFER;
    if (hdr->leap > 3 || hdr->version == 0 || hdr->version > 7 || hdr->mode > 7)
        return NTP_ERR_FIELD;
    buf[0] = (uint8_t)(hdr->leap << 6 | hdr->version << 3 | hdr->mode);
    buf[1] = hdr->stratum;
    buf[2] = (uint8_t)hdr->poll;
    buf[3] = (uint8_t)hdr->precision;
    put32(buf + 4, hdr->root_delay);
    put32(buf + 8, hdr->root_dispersion);
    memcpy(buf + 12, hdr->refid, 4);
    put64(buf + 16, hdr->reference_ts);
    put64(buf + 24, hdr->origin_ts);
    put64(buf + 32, hdr->receive_ts);
    put64(buf + 40, hdr->transmit_ts);
    return NTP_HEADER_LEN;
}

/* --- Trailer: extension fields and MAC --------------------------------------------------- */

static bool is_mac_len(size_t n)
{
    return n == NTP_MAC_MD5_LEN || n == NTP_MAC_SHA1_LEN;
}

/* Validates the extension field at buf[pos] given rest octets remain; returns its length or 0. */
static size_t ef_length_at(const uint8_t *buf, size_t pos, size_t rest)
{
    size_t ef_len = get16(buf + pos + 2);
    if (ef_len < NTP_EF_MIN_LEN || ef_len % 4 != 0 || ef_len > rest)
        return 0;
    return ef_len;
}

static int parse_trailer(const uint8_t *buf, size_t len, struct ntp_packet *pkt)
{
    size_t pos = NTP_HEADER_LEN;

    if (len - pos == NTP_CRYPTO_NAK_LEN && get32(buf + pos) == 0 && pkt->hdr.version >= 3) {
        pkt->crypto_nak = true;
        return 0;
    }
    while (len - pos > NTP_MAC_SHA1_LEN) {
        if (pkt->hdr.version < 4)
            return NTP_ERR_TRAILER; /* extension fields are NTPv4 only */
        size_t ef_len = ef_length_at(buf, pos, len - pos);
        if (ef_len == 0)
            return NTP_ERR_EF_LENGTH;
        pos += ef_len;
        pkt->ef_count++;
        pkt->ef_len += ef_len;
    }
    size_t rest = len - pos;
    if (rest == 0)
        return 0;
    if (!is_mac_len(rest))
        return NTP_ERR_TRAILER;
    pkt->has_mac = true;
    pkt->mac_offset = pos;
    pkt->mac_key_id = get32(buf + pos);
    pkt->mac_digest_len = rest - 4;
    return 0;
}

int ntp_packet_decode(const uint8_t *buf, size_t len, struct ntp_packet *out)
{
    struct ntp_packet pkt = {0};

    if (len > NTP_MAX_PACKET_LEN)
        return NTP_ERR_TOO_LONG;
    int rc = ntp_header_decode(buf, len, &pkt.hdr);
    if (rc < 0)
        return rc;
    if (pkt.hdr.mode == NTP_MODE_CONTROL)
        return NTP_ERR_CONTROL;
    if (pkt.hdr.mode == 0 || pkt.hdr.mode == 7)
        return NTP_ERR_MODE;
    if (len % 4 != 0)
        return NTP_ERR_TRAILER;
    rc = parse_trailer(buf, len, &pkt);
    if (rc < 0)
        return rc;
    *out = pkt;
    return 0;
}

bool ntp_ef_next(const uint8_t *buf, size_t len, const struct ntp_packet *pkt, size_t *cursor,
                 struct ntp_ef *ef)
{
    size_t end = NTP_HEADER_LEN + pkt->ef_len;
    size_t pos = *cursor < NTP_HEADER_LEN ? NTP_HEADER_LEN : *cursor;

    if (end > len || pos >= end || end - pos < NTP_EF_MIN_LEN)
        return false;
    size_t ef_len = ef_length_at(buf, pos, end - pos);
    if (ef_len == 0)
        return false;
    ef->type = get16(buf + pos);
    ef->len = (uint16_t)ef_len;
    ef->offset = pos;
    *cursor = pos + ef_len;
    return true;
}

/* --- Mode 6 ------------------------------------------------------------------------------ */

int ntp_ctl_decode(const uint8_t *buf, size_t len, struct ntp_ctl_header *out)
{
    if (len < NTP_CTL_HEADER_LEN)
        return NTP_ERR_TRUNCATED;
    if (len > NTP_MAX_PACKET_LEN)
        return NTP_ERR_TOO_LONG;
    struct ntp_ctl_header h = {
        .leap = buf[0] >> 6,
        .version = (buf[0] >> 3) & 7,
        .response = (buf[1] & 0x80) != 0,
        .error = (buf[1] & 0x40) != 0,
        .more = (buf[1] & 0x20) != 0,
        .opcode = buf[1] & 0x1f,
        .sequence = get16(buf + 2),
        .status = get16(buf + 4),
        .assoc_id = get16(buf + 6),
        .offset = get16(buf + 8),
        .count = get16(buf + 10),
    };
    if (!version_supported(h.version))
        return NTP_ERR_VERSION;
    if ((buf[0] & 7) != NTP_MODE_CONTROL)
        return NTP_ERR_MODE;
    if (h.count > NTP_CTL_MAX_DATA || h.count > len - NTP_CTL_HEADER_LEN)
        return NTP_ERR_CTL_COUNT;
    *out = h;
    return 0;
}

int ntp_ctl_encode(const struct ntp_ctl_header *hdr, uint8_t *buf, size_t len)
{
    if (len < NTP_CTL_HEADER_LEN)
        return NTP_ERR_BUFFER;
    if (hdr->leap > 3 || hdr->version == 0 || hdr->version > 7 || hdr->opcode > 31 ||
        hdr->count > NTP_CTL_MAX_DATA)
        return NTP_ERR_FIELD;
    buf[0] = (uint8_t)(hdr->leap << 6 | hdr->version << 3 | NTP_MODE_CONTROL);
    buf[1] = (uint8_t)((hdr->response ? 0x80 : 0) | (hdr->error ? 0x40 : 0) |
                       (hdr->more ? 0x20 : 0) | hdr->opcode);
    put16(buf + 2, hdr->sequence);
    put16(buf + 4, hdr->status);
    put16(buf + 6, hdr->assoc_id);
    put16(buf + 8, hdr->offset);
    put16(buf + 10, hdr->count);
    return NTP_CTL_HEADER_LEN;
}

/* --- Kiss-o'-Death ----------------------------------------------------------------------- */

enum ntp_kod ntp_kod_code(const struct ntp_header *hdr)
{
    if (hdr->stratum != 0)
        return NTP_KOD_NONE;
    if (memcmp(hdr->refid, "RATE", 4) == 0)
        return NTP_KOD_RATE;
    if (memcmp(hdr->refid, "DENY", 4) == 0)
        return NTP_KOD_DENY;
    if (memcmp(hdr->refid, "RSTR", 4) == 0)
        return NTP_KOD_RSTR;
    return NTP_KOD_OTHER;
}

/* --- Client and server helpers ----------------------------------------------------------- */

void ntp_build_request(struct ntp_header *req, uint8_t version, int8_t poll, uint64_t transmit_ts)
{
    *req = (struct ntp_header){
        .version = version,
        .mode = NTP_MODE_CLIENT,
        .poll = poll,
        .transmit_ts = transmit_ts,
    };
}

int ntp_build_reply(const struct ntp_header *req, const struct ntp_server_state *state,
                    uint64_t receive_ts, uint64_t transmit_ts, struct ntp_header *reply)
{
    if (req->mode != NTP_MODE_CLIENT)
        return NTP_ERR_MODE;
    *reply = (struct ntp_header){
        .leap = state->leap,
        .version = req->version,
        .mode = NTP_MODE_SERVER,
        .stratum = state->stratum,
        .poll = req->poll,
        .precision = state->precision,
        .root_delay = ntp_short_from_double(state->root_delay),
        .root_dispersion = ntp_short_from_double(state->root_dispersion),
        .reference_ts = state->reference_ts,
        .origin_ts = req->transmit_ts,
        .receive_ts = receive_ts,
        .transmit_ts = transmit_ts,
    };
    memcpy(reply->refid, state->refid, 4);
    return 0;
}

int ntp_build_kod(const struct ntp_header *req, const char code[4], struct ntp_header *reply)
{
    if (req->mode != NTP_MODE_CLIENT)
        return NTP_ERR_MODE;
    *reply = (struct ntp_header){
        .leap = NTP_LEAP_UNSYNC,
        .version = req->version,
        .mode = NTP_MODE_SERVER,
        .poll = req->poll,
        .reference_ts = req->transmit_ts,
        .origin_ts = req->transmit_ts,
        .receive_ts = req->transmit_ts,
        .transmit_ts = req->transmit_ts,
    };
    memcpy(reply->refid, code, 4);
    return 0;
}

void ntp_refid_format(const uint8_t refid[4], uint8_t stratum, char *buf, size_t len)
{
    if (len == 0)
        return;
    if (stratum > 1 && stratum < 16) {
        snprintf(buf, len, "%u.%u.%u.%u", refid[0], refid[1], refid[2], refid[3]);
        return;
    }
    char ascii[5] = {0};
    size_t n = 4;
    while (n > 0 && refid[n - 1] == 0)
        n--;
    for (size_t i = 0; i < n; i++)
        ascii[i] = (refid[i] >= 0x20 && refid[i] < 0x7f) ? (char)refid[i] : '.';
    snprintf(buf, len, "%s", ascii);
}
