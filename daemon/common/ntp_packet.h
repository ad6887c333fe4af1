// SPDX-License-Identifier: ISC
/*
 * NTP wire codec (RFC 5905 header, RFC 7822 extension fields, RFC 9327 mode 6 header) and
 * NTP time formats. I/O-free: no sockets, no clock reads; the caller passes every time.
 *
 * Every decoder of untrusted bytes takes (const uint8_t *buf, size_t len), never reads outside
 * buf[0..len), and returns 0 or a negative enum ntp_err (see ntp_strerror()).
 */
#ifndef TSYNCD_NTP_PACKET_H
#define TSYNCD_NTP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NTP_HEADER_LEN      48   /* octets of the RFC 5905 header */
#define NTP_CTL_HEADER_LEN  12   /* octets of the mode 6 header (RFC 9327) */
#define NTP_CTL_MAX_DATA    468  /* mode 6 payload limit (RFC 9327) */
#define NTP_EF_MIN_LEN      16   /* smallest extension field (RFC 7822) */
#define NTP_MAC_MD5_LEN     20   /* key id (4) + 16-octet digest */
#define NTP_MAC_SHA1_LEN    24   /* key id (4) + 20-octet digest */
#define NTP_CRYPTO_NAK_LEN  4    /* key id 0 alone: the crypto-NAK of RFC 5905 */
#define NTP_MAX_PACKET_LEN  1232 /* IPv6 minimum MTU - IPv6 - UDP headers; longer is rejected */
#define NTP_UNIX_EPOCH_SECS 2208988800u /* 1970-01-01 in NTP era 0 seconds */
#define NTP_REFID_STR_LEN   16          /* buffer size for ntp_refid_format() */

enum ntp_leap {
    NTP_LEAP_NONE = 0,   /* no warning */
    NTP_LEAP_INSERT = 1, /* last minute of the day has 61 s */
    NTP_LEAP_DELETE = 2, /* last minute of the day has 59 s */
    NTP_LEAP_UNSYNC = 3, /* clock unsynchronized */
};

enum ntp_mode {
    NTP_MODE_SYMMETRIC_ACTIVE = 1,
    NTP_MODE_SYMMETRIC_PASSIVE = 2,
    NTP_MODE_CLIENT = 3,
    NTP_MODE_SERVER = 4,
    NTP_MODE_BROADCAST = 5,
    NTP_MODE_CONTROL = 6, /* decoded by ntp_ctl_decode(), not ntp_packet_decode() */
};

enum ntp_err {
    NTP_ERR_TRUNCATED = -1, /* shorter than the fixed header */
    NTP_ERR_TOO_LONG = -2,  /* longer than NTP_MAX_PACKET_LEN */
    NTP_ERR_VERSION = -3,   /* version not 1-4 */
    NTP_ERR_MODE = -4,      /* mode 0 or 7, or the wrong mode for this decoder */
    NTP_ERR_CONTROL = -5,   /* a mode 6 packet given to ntp_packet_decode() */
    NTP_ERR_EF_LENGTH = -6, /* extension field length < 16, not a multiple of 4 or too long */
    NTP_ERR_TRAILER = -7,   /* bytes after the header that are neither fields nor a MAC */
    NTP_ERR_CTL_COUNT = -8, /* mode 6 count exceeds the packet or 468 octets */
    NTP_ERR_BUFFER = -9,    /* output buffer too small */
    NTP_ERR_FIELD = -10,    /* a field value that cannot be encoded */
};

/* Kiss-o'-Death codes (RFC 5905 section 7.4): stratum 0 with an ASCII refid. */
enum ntp_kod {
    NTP_KOD_NONE = 0, /* stratum != 0: not a KoD packet */
    NTP_KOD_RATE,     /* reduce the polling rate */
    NTP_KOD_DENY,     /* access denied: stop sending */
    NTP_KOD_RSTR,     /* access restricted: stop sending */
    NTP_KOD_OTHER,    /* stratum 0 with another code (INIT, STEP, ...): not a valid sample */
};

/* The 48-octet NTP header in host representation. */
struct ntp_header {
    uint8_t leap;             /* enum ntp_leap, 0-3 */
    uint8_t version;          /* 1-4 */
    uint8_t mode;             /* enum ntp_mode, 0-7 */
    uint8_t stratum;          /* 0 KoD/unspecified, 1 primary, 2-15 secondary, 16 unsynced */
    int8_t poll;              /* log2 s */
    int8_t precision;         /* log2 s */
    uint32_t root_delay;      /* short format (16.16 fixed-point s) */
    uint32_t root_dispersion; /* short format (16.16 fixed-point s) */
    uint8_t refid[4];         /* wire order: ASCII code or IPv4 address / hash */
    uint64_t reference_ts;    /* 32.32 fixed-point NTP timestamps, era not included */
    uint64_t origin_ts;
    uint64_t receive_ts;
    uint64_t transmit_ts;
};

/* A decoded mode 1-5 packet: header plus where its trailer lies in the buffer. */
struct ntp_packet {
    struct ntp_header hdr;
    size_t ef_count;       /* number of extension fields (NTPv4 only) */
    size_t ef_len;         /* octets of all extension fields, starting at NTP_HEADER_LEN */
    bool has_mac;          /* a MAC trails the packet */
    uint32_t mac_key_id;   /* its key id (host order) */
    size_t mac_offset;     /* offset of the key id in the buffer */
    size_t mac_digest_len; /* 16 (MD5) or 20 (SHA-1) octets following the key id */
    bool crypto_nak;       /* a crypto-NAK (4 octets of key id 0) trails the packet, no MAC */
};

/* One extension field, located in the buffer that was decoded. */
struct ntp_ef {
    uint16_t type; /* field type */
    uint16_t len;  /* total length including the 4-octet field header */
    size_t offset; /* offset of the field header in the buffer */
};

/* The 12-octet mode 6 (control) header (RFC 9327). */
struct ntp_ctl_header {
    uint8_t leap;      /* 0-3 */
    uint8_t version;   /* 1-4 */
    bool response;     /* R bit */
    bool error;        /* E bit */
    bool more;         /* M bit: more fragments follow */
    uint8_t opcode;    /* 0-31 */
    uint16_t sequence; /* request sequence number */
    uint16_t status;   /* system/peer status word */
    uint16_t assoc_id; /* association id, 0 for the system */
    uint16_t offset;   /* octet offset of this fragment's data */
    uint16_t count;    /* octets of data following the header */
};

/* Fields a server puts in its replies (ntp_build_reply()). */
struct ntp_server_state {
    uint8_t leap;           /* enum ntp_leap */
    uint8_t stratum;        /* 1-16 */
    int8_t precision;       /* log2 s */
    double root_delay;      /* s, saturated into the short format */
    double root_dispersion; /* s, saturated into the short format */
    uint8_t refid[4];       /* wire order */
    uint64_t reference_ts;  /* time the clock was last set or corrected */
};

/* Human-readable message for an enum ntp_err value (or "unknown error"). */
const char *ntp_strerror(int err);

/* --- Timestamps -------------------------------------------------------------------------- */

/* 64-bit NTP timestamp (seconds in the NTP era of the time, 2^-32 s fraction) of a
 * CLOCK_REALTIME time. The nanoseconds are rounded to the nearest fraction step. */
uint64_t ntp_ts64_from_timespec(const struct timespec *ts);

/* CLOCK_REALTIME time of a 64-bit NTP timestamp. The timestamp carries no era, so the era that
 * puts the result nearest to pivot (usually the local clock) is chosen: exact for any time within
 * 68 years of pivot, across the 2036 rollover. Fractions are rounded to the nearest ns.
 * pivot is a trusted, plausible time (|tv_sec| < 2^62), not packet data. */
struct timespec ntp_ts64_to_timespec(uint64_t ntp_ts, const struct timespec *pivot);

/* a - b in seconds, computed modulo 2^64 so differences across an era rollover are right
 * (valid for |a - b| < 68 years). */
double ntp_ts64_diff(uint64_t a, uint64_t b);

/* ts + offset_s (|offset_s| < 2^31 s), modulo the era. */
uint64_t ntp_ts64_add(uint64_t ts, double offset_s);

/* Short format (16.16 fixed-point s) to seconds and back; negative and NaN inputs give 0,
 * values of 65536 s or more give 0xffffffff. */
double ntp_short_to_double(uint32_t v);
uint32_t ntp_short_from_double(double s);

/* --- Packets ----------------------------------------------------------------------------- */

/* Decodes just the 48-octet header (len >= 48). Checks version 1-4; any mode. */
int ntp_header_decode(const uint8_t *buf, size_t len, struct ntp_header *out);

/* Writes the 48-octet header into buf; returns NTP_HEADER_LEN or NTP_ERR_BUFFER / NTP_ERR_FIELD
 * (leap > 3, version 0 or > 7, mode > 7). */
int ntp_header_encode(const struct ntp_header *hdr, uint8_t *buf, size_t len);

/*
 * Decodes a whole mode 1-5 packet: header, then for NTPv4 a chain of extension fields, then an
 * optional MAC. Remaining octets of exactly 20 or 24 are a MAC (as ntpd), so a last extension
 * field without a MAC must be longer than 24 octets (RFC 5905 section 7.5). NTPv1-3 packets may
 * carry only a MAC. Four octets of zero right after the header of an NTPv3/v4 packet are a
 * crypto-NAK (as ntpd, NTPsec and chrony). Mode 6 gives NTP_ERR_CONTROL; modes 0 and 7 give
 * NTP_ERR_MODE.
 */
int ntp_packet_decode(const uint8_t *buf, size_t len, struct ntp_packet *out);

/* Iterates over the extension fields of buf, which ntp_packet_decode() accepted into pkt.
 * Start with *cursor = 0; returns true and fills ef while fields remain. */
bool ntp_ef_next(const uint8_t *buf, size_t len, const struct ntp_packet *pkt, size_t *cursor,
                 struct ntp_ef *ef);

/* Decodes a mode 6 header; checks version 1-4, mode 6 and that count octets of data (at most
 * NTP_CTL_MAX_DATA) follow within len. */
int ntp_ctl_decode(const uint8_t *buf, size_t len, struct ntp_ctl_header *out);

/* Writes the 12-octet mode 6 header; returns NTP_CTL_HEADER_LEN or a negative enum ntp_err. */
int ntp_ctl_encode(const struct ntp_ctl_header *hdr, uint8_t *buf, size_t len);

/* Kiss-o'-Death code of a decoded header (NTP_KOD_NONE unless stratum is 0). */
enum ntp_kod ntp_kod_code(const struct ntp_header *hdr);

/* --- Helpers for the client and the server ------------------------------------------------ */

/* A client (mode 3) request carrying only what the server needs (version, poll, transmit
 * timestamp; other fields zero as in draft-ietf-ntp-data-minimization). */
void ntp_build_request(struct ntp_header *req, uint8_t version, int8_t poll, uint64_t transmit_ts);

/* A server (mode 4) reply to a client (mode 3) request: version and poll echoed, origin = the
 * request's transmit timestamp. receive_ts/transmit_ts are the server's times. Returns 0, or
 * NTP_ERR_MODE when req is not a client request. */
int ntp_build_reply(const struct ntp_header *req, const struct ntp_server_state *state,
                    uint64_t receive_ts, uint64_t transmit_ts, struct ntp_header *reply);

/* A Kiss-o'-Death reply (stratum 0, leap 3, refid = 4-character code such as "RATE") that reveals
 * no server time: every timestamp echoes the request's transmit timestamp. Returns 0 or
 * NTP_ERR_MODE (req not a client request). */
int ntp_build_kod(const struct ntp_header *req, const char code[4], struct ntp_header *reply);

/* Formats a refid for display as ntpq does: 4 ASCII characters (trailing NULs dropped,
 * unprintable octets as '.') for stratum 0, 1 and 16, an IPv4 dotted quad otherwise.
 * buf should hold NTP_REFID_STR_LEN octets; the result is always NUL-terminated. */
void ntp_refid_format(const uint8_t refid[4], uint8_t stratum, char *buf, size_t len);

#endif
