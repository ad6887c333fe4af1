// SPDX-License-Identifier: ISC
/* Unit tests of the NTP wire codec and time formats (daemon/common/ntp_packet.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/common/ntp_packet.h"

/* cmocka 1.1 has no assert_double_equal: |a - b| <= eps. */
#define assert_close(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

#define ERA1_START_UNIX 2085978496 /* 2036-02-07 06:28:16 UTC: NTP seconds wrap to 0 */

/* Decodes a heap copy of exactly len octets so ASan catches any read past the end. */
static int decode_exact(const uint8_t *src, size_t len, struct ntp_packet *pkt)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    if (len > 0)
        memcpy(copy, src, len);
    int rc = ntp_packet_decode(copy, len, pkt);
    free(copy);
    return rc;
}

/* A valid NTPv4 server packet, as a captured reply would look. */
static const uint8_t server_reply[NTP_HEADER_LEN] = {
    0x24,                                           /* LI 0, VN 4, mode 4 */
    0x02,                                           /* stratum 2 */
    0x06,                                           /* poll 2^6 s */
    0xec,                                           /* precision 2^-20 s */
    0x00, 0x00, 0x01, 0x80,                         /* root delay 0x0180 / 65536 s */
    0x00, 0x01, 0x40, 0x00,                         /* root dispersion 1.25 s */
    192,  0,    2,    1,                            /* refid 192.0.2.1 */
    0xec, 0xd0, 0xc1, 0x80, 0x00, 0x00, 0x00, 0x00, /* reference 3973104000 s */
    0xec, 0xd0, 0xc1, 0x80, 0x80, 0x00, 0x00, 0x00, /* origin +0.5 s */
    0xec, 0xd0, 0xc1, 0x81, 0x40, 0x00, 0x00, 0x00, /* receive +1.25 s */
    0xec, 0xd0, 0xc1, 0x81, 0x40, 0x00, 0x00, 0x01, /* transmit +1.25 s + 2^-32 s */
};

static void test_known_vector(void **state)
{
    struct ntp_packet pkt;

    assert_int_equal(decode_exact(server_reply, sizeof(server_reply), &pkt), 0);
    assert_int_equal(pkt.hdr.leap, NTP_LEAP_NONE);
    assert_int_equal(pkt.hdr.version, 4);
    assert_int_equal(pkt.hdr.mode, NTP_MODE_SERVER);
    assert_int_equal(pkt.hdr.stratum, 2);
    assert_int_equal(pkt.hdr.poll, 6);
    assert_int_equal(pkt.hdr.precision, -20);
    assert_int_equal(pkt.hdr.root_delay, 0x180);
    assert_int_equal(pkt.hdr.root_dispersion, 0x14000);
    assert_close(ntp_short_to_double(pkt.hdr.root_dispersion), 1.25, 0);
    assert_memory_equal(pkt.hdr.refid, ((uint8_t[]){192, 0, 2, 1}), 4);
    assert_true(pkt.hdr.reference_ts == 3973104000ull << 32);
    assert_true(pkt.hdr.origin_ts == (3973104000ull << 32 | 0x80000000u));
    assert_true(pkt.hdr.receive_ts == (3973104001ull << 32 | 0x40000000u));
    assert_true(pkt.hdr.transmit_ts == (3973104001ull << 32 | 0x40000001u));
    assert_int_equal(pkt.ef_count, 0);
    assert_false(pkt.has_mac);
    assert_int_equal(ntp_kod_code(&pkt.hdr), NTP_KOD_NONE);
}

static void test_header_roundtrip(void **state)
{
    struct ntp_header in = {
        .leap = NTP_LEAP_DELETE,
        .version = 3,
        .mode = NTP_MODE_CLIENT,
        .stratum = 15,
        .poll = -3,
        .precision = -29,
        .root_delay = 0xdeadbeef,
        .root_dispersion = 0x01020304,
        .refid = {'G', 'P', 'S', 0},
        .reference_ts = 0x0102030405060708ull,
        .origin_ts = 0xfffffffffffffffeull,
        .receive_ts = 1,
        .transmit_ts = 0x8000000000000000ull,
    };
    uint8_t buf[NTP_HEADER_LEN];
    struct ntp_header out;

    assert_int_equal(ntp_header_encode(&in, buf, sizeof(buf)), NTP_HEADER_LEN);
    assert_int_equal(buf[0], 2 << 6 | 3 << 3 | 3);
    assert_int_equal(ntp_header_decode(buf, sizeof(buf), &out), 0);
    assert_int_equal(out.leap, in.leap);
    assert_int_equal(out.version, in.version);
    assert_int_equal(out.mode, in.mode);
    assert_int_equal(out.stratum, in.stratum);
    assert_int_equal(out.poll, in.poll);
    assert_int_equal(out.precision, in.precision);
    assert_int_equal(out.root_delay, in.root_delay);
    assert_int_equal(out.root_dispersion, in.root_dispersion);
    assert_memory_equal(out.refid, in.refid, 4);
    assert_true(out.reference_ts == in.reference_ts);
    assert_true(out.origin_ts == in.origin_ts);
    assert_true(out.receive_ts == in.receive_ts);
    assert_true(out.transmit_ts == in.transmit_ts);

    uint8_t again[NTP_HEADER_LEN];
    assert_int_equal(ntp_header_encode(&out, again, sizeof(again)), NTP_HEADER_LEN);
    assert_memory_equal(buf, again, sizeof(buf));
}

static void test_encode_errors(void **state)
{
    struct ntp_header h = {.version = 4, .mode = 3};
    uint8_t buf[NTP_HEADER_LEN];

    assert_int_equal(ntp_header_encode(&h, buf, NTP_HEADER_LEN - 1), NTP_ERR_BUFFER);
    h.leap = 4;
    assert_int_equal(ntp_header_encode(&h, buf, sizeof(buf)), NTP_ERR_FIELD);
    h.leap = 0;
    h.version = 0;
    assert_int_equal(ntp_header_encode(&h, buf, sizeof(buf)), NTP_ERR_FIELD);
    h.version = 4;
    h.mode = 8;
    assert_int_equal(ntp_header_encode(&h, buf, sizeof(buf)), NTP_ERR_FIELD);
}

static void test_truncated(void **state)
{
    struct ntp_packet pkt;
    struct ntp_header hdr;

    for (size_t len = 0; len < NTP_HEADER_LEN; len++) {
        assert_int_equal(decode_exact(server_reply, len, &pkt), NTP_ERR_TRUNCATED);
        assert_int_equal(ntp_header_decode(server_reply, len, &hdr), NTP_ERR_TRUNCATED);
    }
}

static void test_versions_and_modes(void **state)
{
    uint8_t buf[NTP_HEADER_LEN];
    struct ntp_packet pkt;

    memcpy(buf, server_reply, sizeof(buf));
    for (int version = 0; version <= 7; version++) {
        buf[0] = (uint8_t)(version << 3 | NTP_MODE_CLIENT);
        int expect = version >= 1 && version <= 4 ? 0 : NTP_ERR_VERSION;
        assert_int_equal(decode_exact(buf, sizeof(buf), &pkt), expect);
        if (expect == 0)
            assert_int_equal(pkt.hdr.version, version);
    }
    for (int mode = 0; mode <= 7; mode++) {
        buf[0] = (uint8_t)(4 << 3 | mode);
        int expect = mode == 0 || mode == 7 ? NTP_ERR_MODE : mode == 6 ? NTP_ERR_CONTROL : 0;
        assert_int_equal(decode_exact(buf, sizeof(buf), &pkt), expect);
    }
    assert_string_equal(ntp_strerror(NTP_ERR_VERSION), "unsupported NTP version");
    assert_string_equal(ntp_strerror(-1000), "unknown error");
}

/* Writes an extension field header (type, length) at p and zero-fills its body. */
static void put_ef(uint8_t *p, uint16_t type, uint16_t len, size_t body)
{
    p[0] = (uint8_t)(type >> 8);
    p[1] = (uint8_t)type;
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    memset(p + 4, 0xa5, body - 4);
}

static void test_extension_fields(void **state)
{
    uint8_t buf[NTP_HEADER_LEN + 28 + 32 + NTP_MAC_SHA1_LEN];
    struct ntp_packet pkt;
    struct ntp_ef ef;
    size_t cursor = 0;

    memcpy(buf, server_reply, NTP_HEADER_LEN);
    put_ef(buf + 48, 0x0104, 28, 28);
    put_ef(buf + 76, 0x0204, 32, 32);
    memcpy(buf + 108, "\x00\x00\x00\x2a", 4);
    assert_int_equal(decode_exact(buf, sizeof(buf), &pkt), 0);
    assert_int_equal(pkt.ef_count, 2);
    assert_int_equal(pkt.ef_len, 60);
    assert_true(pkt.has_mac);
    assert_int_equal(pkt.mac_key_id, 42);
    assert_int_equal(pkt.mac_offset, 108);
    assert_int_equal(pkt.mac_digest_len, 20);

    assert_true(ntp_ef_next(buf, sizeof(buf), &pkt, &cursor, &ef));
    assert_int_equal(ef.type, 0x0104);
    assert_int_equal(ef.len, 28);
    assert_int_equal(ef.offset, 48);
    assert_true(ntp_ef_next(buf, sizeof(buf), &pkt, &cursor, &ef));
    assert_int_equal(ef.type, 0x0204);
    assert_int_equal(ef.offset, 76);
    assert_false(ntp_ef_next(buf, sizeof(buf), &pkt, &cursor, &ef));

    /* Without the MAC: the two fields alone. */
    assert_int_equal(decode_exact(buf, 108, &pkt), 0);
    assert_int_equal(pkt.ef_count, 2);
    assert_false(pkt.has_mac);
}

static void test_bad_extension_fields(void **state)
{
    uint8_t buf[NTP_HEADER_LEN + 64];
    struct ntp_packet pkt;
    const uint16_t bad_lengths[] = {0, 4, 12, 15, 30, 34, 68, 0xfffc};

    memcpy(buf, server_reply, NTP_HEADER_LEN);
    for (size_t i = 0; i < sizeof(bad_lengths) / sizeof(bad_lengths[0]); i++) {
        put_ef(buf + 48, 0x0104, bad_lengths[i], 32);
        assert_int_equal(decode_exact(buf, 48 + 32, &pkt), NTP_ERR_EF_LENGTH);
    }
    /* A valid field followed by a bad one. */
    put_ef(buf + 48, 0x0104, 32, 32);
    put_ef(buf + 80, 0x0104, 8, 32);
    assert_int_equal(decode_exact(buf, sizeof(buf), &pkt), NTP_ERR_EF_LENGTH);
    /* A valid field followed by octets too few for a field and not a MAC. */
    put_ef(buf + 48, 0x0104, 32, 32);
    assert_int_equal(decode_exact(buf, 48 + 32 + 8, &pkt), NTP_ERR_TRAILER);
    /* Extension fields are NTPv4 only. */
    buf[0] = 3 << 3 | NTP_MODE_SERVER;
    assert_int_equal(decode_exact(buf, 48 + 32, &pkt), NTP_ERR_TRAILER);
    /* A length that is not a multiple of 4. */
    buf[0] = 4 << 3 | NTP_MODE_SERVER;
    assert_int_equal(decode_exact(buf, 48 + 30, &pkt), NTP_ERR_TRAILER);
}

static void test_mac(void **state)
{
    uint8_t buf[NTP_HEADER_LEN + NTP_MAC_SHA1_LEN];
    struct ntp_packet pkt;

    memcpy(buf, server_reply, NTP_HEADER_LEN);
    memcpy(buf + 48, "\x01\x02\x03\x04", 4);
    memset(buf + 52, 0x5a, 20);
    for (int version = 3; version <= 4; version++) {
        buf[0] = (uint8_t)(version << 3 | NTP_MODE_CLIENT);
        assert_int_equal(decode_exact(buf, 48 + NTP_MAC_MD5_LEN, &pkt), 0);
        assert_true(pkt.has_mac);
        assert_int_equal(pkt.mac_key_id, 0x01020304);
        assert_int_equal(pkt.mac_digest_len, 16);
        assert_int_equal(decode_exact(buf, 48 + NTP_MAC_SHA1_LEN, &pkt), 0);
        assert_int_equal(pkt.mac_digest_len, 20);
        assert_int_equal(pkt.mac_offset, 48);
    }
    for (size_t extra = 4; extra < NTP_MAC_MD5_LEN; extra += 4)
        assert_int_equal(decode_exact(buf, 48 + extra, &pkt), NTP_ERR_TRAILER);
}

/* Four octets of zero after the header: a crypto-NAK (NTPv3 and v4), never a MAC. */
static void test_crypto_nak(void **state)
{
    uint8_t buf[NTP_HEADER_LEN + NTP_CRYPTO_NAK_LEN];
    struct ntp_packet pkt;

    memcpy(buf, server_reply, NTP_HEADER_LEN);
    memset(buf + 48, 0, 4);
    for (int version = 3; version <= 4; version++) {
        buf[0] = (uint8_t)(version << 3 | NTP_MODE_SERVER);
        assert_int_equal(decode_exact(buf, sizeof(buf), &pkt), 0);
        assert_true(pkt.crypto_nak);
        assert_false(pkt.has_mac);
    }
    buf[0] = 2 << 3 | NTP_MODE_SERVER; /* NTPv2 had no crypto-NAK */
    assert_int_equal(decode_exact(buf, sizeof(buf), &pkt), NTP_ERR_TRAILER);
    buf[0] = 4 << 3 | NTP_MODE_SERVER;
    buf[51] = 1; /* a key id alone is not a NAK */
    assert_int_equal(decode_exact(buf, sizeof(buf), &pkt), NTP_ERR_TRAILER);
    assert_int_equal(decode_exact(buf, NTP_HEADER_LEN, &pkt), 0);
    assert_false(pkt.crypto_nak);
}

static void test_oversized(void **state)
{
    uint8_t *buf = calloc(1, NTP_MAX_PACKET_LEN + 4);
    struct ntp_packet pkt;

    assert_non_null(buf);
    memcpy(buf, server_reply, NTP_HEADER_LEN);
    /* Largest accepted: 1232 - 48 = 1184 octets as one field minus a MAC. */
    put_ef(buf + 48, 0x0104, 1184 - 24, 1184 - 24);
    assert_int_equal(decode_exact(buf, NTP_MAX_PACKET_LEN, &pkt), 0);
    assert_int_equal(pkt.ef_count, 1);
    assert_true(pkt.has_mac);
    assert_int_equal(decode_exact(buf, NTP_MAX_PACKET_LEN + 4, &pkt), NTP_ERR_TOO_LONG);
    free(buf);
}

static void test_kod(void **state)
{
    struct ntp_header h = {.version = 4, .mode = 4, .stratum = 0};
    const struct {
        const char *code;
        enum ntp_kod kod;
    } cases[] = {{"RATE", NTP_KOD_RATE},
                 {"DENY", NTP_KOD_DENY},
                 {"RSTR", NTP_KOD_RSTR},
                 {"INIT", NTP_KOD_OTHER},
                 {"rate", NTP_KOD_OTHER}};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(h.refid, cases[i].code, 4);
        assert_int_equal(ntp_kod_code(&h), cases[i].kod);
    }
    h.stratum = 1;
    memcpy(h.refid, "RATE", 4);
    assert_int_equal(ntp_kod_code(&h), NTP_KOD_NONE);
}

static void test_control_header(void **state)
{
    uint8_t buf[NTP_CTL_HEADER_LEN + 8] = {
        0x26,       /* LI 0, VN 4, mode 6 */
        0xa2,       /* R, M, opcode 2 (read variables) */
        0x00, 0x07, /* sequence 7 */
        0x06, 0x18, /* status */
        0x12, 0x34, /* association id */
        0x00, 0x10, /* offset 16 */
        0x00, 0x08, /* count 8 */
        'a',  '=',  '1', ',', 'b', '=', '2', 0,
    };
    struct ntp_ctl_header h;

    assert_int_equal(ntp_ctl_decode(buf, sizeof(buf), &h), 0);
    assert_int_equal(h.version, 4);
    assert_true(h.response);
    assert_false(h.error);
    assert_true(h.more);
    assert_int_equal(h.opcode, 2);
    assert_int_equal(h.sequence, 7);
    assert_int_equal(h.status, 0x0618);
    assert_int_equal(h.assoc_id, 0x1234);
    assert_int_equal(h.offset, 16);
    assert_int_equal(h.count, 8);

    uint8_t out[NTP_CTL_HEADER_LEN];
    assert_int_equal(ntp_ctl_encode(&h, out, sizeof(out)), NTP_CTL_HEADER_LEN);
    assert_memory_equal(out, buf, NTP_CTL_HEADER_LEN);

    for (size_t len = 0; len < NTP_CTL_HEADER_LEN; len++)
        assert_int_equal(ntp_ctl_decode(buf, len, &h), NTP_ERR_TRUNCATED);
    assert_int_equal(ntp_ctl_decode(buf, sizeof(buf) - 1, &h), NTP_ERR_CTL_COUNT);
    buf[0] = 0x24; /* mode 4 */
    assert_int_equal(ntp_ctl_decode(buf, sizeof(buf), &h), NTP_ERR_MODE);
    buf[0] = 0x2e; /* version 5 */
    assert_int_equal(ntp_ctl_decode(buf, sizeof(buf), &h), NTP_ERR_VERSION);
}

static void test_control_count_limit(void **state)
{
    uint8_t *buf = calloc(1, NTP_CTL_HEADER_LEN + 600);
    struct ntp_ctl_header h;

    assert_non_null(buf);
    buf[0] = 0x26;
    buf[10] = NTP_CTL_MAX_DATA >> 8;
    buf[11] = NTP_CTL_MAX_DATA & 0xff;
    assert_int_equal(ntp_ctl_decode(buf, NTP_CTL_HEADER_LEN + 600, &h), 0);
    buf[11]++;
    assert_int_equal(ntp_ctl_decode(buf, NTP_CTL_HEADER_LEN + 600, &h), NTP_ERR_CTL_COUNT);
    free(buf);
}

static void test_request_reply_kod(void **state)
{
    struct ntp_header req, reply;
    struct ntp_server_state st = {
        .leap = NTP_LEAP_NONE,
        .stratum = 2,
        .precision = -23,
        .root_delay = 0.5,
        .root_dispersion = 1e6, /* saturates */
        .refid = {10, 0, 0, 1},
        .reference_ts = 77,
    };

    ntp_build_request(&req, 3, 10, 0x1122334455667788ull);
    assert_int_equal(req.mode, NTP_MODE_CLIENT);
    assert_int_equal(req.version, 3);
    assert_int_equal(req.poll, 10);
    assert_true(req.transmit_ts == 0x1122334455667788ull);
    assert_true(req.origin_ts == 0 && req.receive_ts == 0 && req.reference_ts == 0);
    assert_int_equal(req.leap, 0);

    assert_int_equal(ntp_build_reply(&req, &st, 1000, 2000, &reply), 0);
    assert_int_equal(reply.version, 3);
    assert_int_equal(reply.mode, NTP_MODE_SERVER);
    assert_int_equal(reply.stratum, 2);
    assert_int_equal(reply.poll, 10);
    assert_int_equal(reply.precision, -23);
    assert_int_equal(reply.root_delay, 0x8000);
    assert_int_equal(reply.root_dispersion, UINT32_MAX);
    assert_memory_equal(reply.refid, st.refid, 4);
    assert_true(reply.origin_ts == req.transmit_ts);
    assert_true(reply.receive_ts == 1000 && reply.transmit_ts == 2000);
    assert_true(reply.reference_ts == 77);

    assert_int_equal(ntp_build_kod(&req, "RATE", &reply), 0);
    assert_int_equal(ntp_kod_code(&reply), NTP_KOD_RATE);
    assert_int_equal(reply.leap, NTP_LEAP_UNSYNC);
    assert_int_equal(reply.version, 3);
    assert_true(reply.receive_ts == req.transmit_ts && reply.transmit_ts == req.transmit_ts);

    req.mode = NTP_MODE_SERVER;
    assert_int_equal(ntp_build_reply(&req, &st, 1, 2, &reply), NTP_ERR_MODE);
    assert_int_equal(ntp_build_kod(&req, "DENY", &reply), NTP_ERR_MODE);
}

static void test_refid_format(void **state)
{
    char buf[NTP_REFID_STR_LEN];
    char tiny[4];

    ntp_refid_format((const uint8_t *)"GPS\0", 1, buf, sizeof(buf));
    assert_string_equal(buf, "GPS");
    ntp_refid_format((const uint8_t *)"RATE", 0, buf, sizeof(buf));
    assert_string_equal(buf, "RATE");
    ntp_refid_format((const uint8_t *)"INIT", 16, buf, sizeof(buf));
    assert_string_equal(buf, "INIT");
    ntp_refid_format((const uint8_t[]){'A', 0x01, 0xff, 'B'}, 1, buf, sizeof(buf));
    assert_string_equal(buf, "A..B");
    ntp_refid_format((const uint8_t[]){192, 0, 2, 255}, 2, buf, sizeof(buf));
    assert_string_equal(buf, "192.0.2.255");
    ntp_refid_format((const uint8_t[]){192, 0, 2, 255}, 2, tiny, sizeof(tiny));
    assert_string_equal(tiny, "192");
}

/* --- Timestamps -------------------------------------------------------------------------- */

static struct timespec at(int64_t sec, long nsec)
{
    return (struct timespec){.tv_sec = (time_t)sec, .tv_nsec = nsec};
}

static void assert_timespec(struct timespec got, int64_t sec, long nsec)
{
    assert_int_equal((int64_t)got.tv_sec, sec);
    assert_int_equal(got.tv_nsec, nsec);
}

static void test_known_timestamps(void **state)
{
    /* 2025-11-26 00:00:00 UTC = NTP 3973104000; 2026-11-26 00:00:00 UTC = NTP 4004640000. */
    struct timespec t2025 = at(1764115200, 0), t2026 = at(1795651200, 0);

    assert_true(ntp_ts64_from_timespec(&t2025) == 3973104000ull << 32);
    assert_true(ntp_ts64_from_timespec(&t2026) == 4004640000ull << 32);
    assert_timespec(ntp_ts64_to_timespec(4004640000ull << 32, &t2025), 1795651200, 0);
    struct timespec half = at(1795651200, 500000000);
    assert_true(ntp_ts64_from_timespec(&half) == (4004640000ull << 32 | 0x80000000u));
    struct timespec epoch = at(0, 0);
    assert_true(ntp_ts64_from_timespec(&epoch) == (uint64_t)NTP_UNIX_EPOCH_SECS << 32);
}

static void test_era_selection(void **state)
{
    struct timespec pivot_1950 = at(-631152000, 0), pivot_2037 = at(2114380800, 0);

    /* NTP timestamp 0 is 1900-01-01 in era 0 and 2036-02-07 06:28:16 in era 1. */
    assert_timespec(ntp_ts64_to_timespec(0, &pivot_1950), -(int64_t)NTP_UNIX_EPOCH_SECS, 0);
    assert_timespec(ntp_ts64_to_timespec(0, &pivot_2037), ERA1_START_UNIX, 0);
    /* Pivots just before and after the rollover pick the era nearest to them. */
    struct timespec before = at(ERA1_START_UNIX - 1, 0), after = at(ERA1_START_UNIX + 1, 0);
    assert_timespec(ntp_ts64_to_timespec(1ull << 32, &before), ERA1_START_UNIX + 1, 0);
    assert_timespec(ntp_ts64_to_timespec(0xffffffffull << 32, &after), ERA1_START_UNIX - 1, 0);
    assert_timespec(ntp_ts64_to_timespec(0xffffffff80000000ull, &after), ERA1_START_UNIX - 1,
                    500000000);
    /* A timestamp 60 years from the pivot in either direction. */
    int64_t years60 = 60ll * 365 * 86400;
    struct timespec far = at(ERA1_START_UNIX + years60, 0);
    uint64_t far_ts = ntp_ts64_from_timespec(&far);
    assert_timespec(ntp_ts64_to_timespec(far_ts, &before), ERA1_START_UNIX + years60, 0);
    struct timespec past = at(ERA1_START_UNIX - years60, 0);
    assert_timespec(ntp_ts64_to_timespec(ntp_ts64_from_timespec(&past), &after),
                    ERA1_START_UNIX - years60, 0);
}

static void test_diff_across_rollover(void **state)
{
    struct timespec a = at(ERA1_START_UNIX + 1, 250000000), b = at(ERA1_START_UNIX - 1, 0);
    uint64_t ta = ntp_ts64_from_timespec(&a), tb = ntp_ts64_from_timespec(&b);

    assert_true(ta >> 32 == 1 && tb >> 32 == 0xffffffffu);
    assert_close(ntp_ts64_diff(ta, tb), 2.25, 1e-9);
    assert_close(ntp_ts64_diff(tb, ta), -2.25, 1e-9);
    assert_close(ntp_ts64_diff(1, 0), 1.0 / 4294967296.0, 0);
    assert_true(ntp_ts64_add(tb, 2.25) == ta);
    assert_true(ntp_ts64_add(ta, -2.25) == tb);
    assert_true(ntp_ts64_add(0, -1.0) == 0xffffffff00000000ull);
}

static void test_timespec_roundtrip(void **state)
{
    const int64_t secs[] = {-2208988800LL,   -1,          0, 1764115200, ERA1_START_UNIX - 1,
                            ERA1_START_UNIX, 4102444800LL};
    uint32_t rng = 12345;

    for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
        for (int k = 0; k < 2000; k++) {
            rng = rng * 1103515245u + 12345u;
            long nsec = k < 3 ? (long[]){0, 1, 999999999}[k] : (long)(rng % 1000000000u);
            struct timespec t = at(secs[i], nsec);
            uint64_t ts = ntp_ts64_from_timespec(&t);
            struct timespec back = ntp_ts64_to_timespec(ts, &t);
            assert_timespec(back, secs[i], nsec);
        }
    }
    /* The largest fraction rounds up to the next second. */
    struct timespec pivot = at(1764115200, 0);
    assert_timespec(ntp_ts64_to_timespec(3973104000ull << 32 | 0xffffffffu, &pivot), 1764115201, 0);
    /* An unnormalised nanosecond count is normalised. */
    struct timespec odd = at(10, -1);
    struct timespec norm = at(9, 999999999);
    assert_true(ntp_ts64_from_timespec(&odd) == ntp_ts64_from_timespec(&norm));
}

static void test_short_format(void **state)
{
    assert_int_equal(ntp_short_from_double(1.5), 0x00018000);
    assert_int_equal(ntp_short_from_double(0.0), 0);
    assert_int_equal(ntp_short_from_double(-3.0), 0);
    assert_int_equal(ntp_short_from_double(0.0 / 0.0), 0);
    assert_int_equal(ntp_short_from_double(65536.0), UINT32_MAX);
    assert_int_equal(ntp_short_from_double(65535.99999999), UINT32_MAX);
    assert_int_equal(ntp_short_from_double(1e300), UINT32_MAX);
    assert_int_equal(ntp_short_from_double(1.0 / 65536.0), 1);
    assert_close(ntp_short_to_double(0x00010000), 1.0, 0);
    assert_close(ntp_short_to_double(UINT32_MAX), 65535.9999847412109375, 0);
    for (uint32_t v = 0; v < 0xffff0000u; v += 0x00fedcbau)
        assert_int_equal(ntp_short_from_double(ntp_short_to_double(v)), v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vector),
        cmocka_unit_test(test_header_roundtrip),
        cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_versions_and_modes),
        cmocka_unit_test(test_extension_fields),
        cmocka_unit_test(test_bad_extension_fields),
        cmocka_unit_test(test_mac),
        cmocka_unit_test(test_crypto_nak),
        cmocka_unit_test(test_oversized),
        cmocka_unit_test(test_kod),
        cmocka_unit_test(test_control_header),
        cmocka_unit_test(test_control_count_limit),
        cmocka_unit_test(test_request_reply_kod),
        cmocka_unit_test(test_refid_format),
        cmocka_unit_test(test_known_timestamps),
        cmocka_unit_test(test_era_selection),
        cmocka_unit_test(test_diff_across_rollover),
        cmocka_unit_test(test_timespec_roundtrip),
        cmocka_unit_test(test_short_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
