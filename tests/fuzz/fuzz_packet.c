// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/common/ntp_packet.c
/*
 * libFuzzer target for the NTP codec: the packet decoder with its extension field walk, MAC and
 * KoD handling, the mode 6 decoder, and the timestamp conversions. Beyond memory safety it checks
 * that whatever decodes is consistent and re-encodes to the same octets.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/common/ntp_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

/* The extension fields walk exactly the region the decoder validated. */
static void check_extension_fields(const uint8_t *data, size_t size, const struct ntp_packet *pkt)
{
    size_t cursor = 0, count = 0, total = 0;
    struct ntp_ef ef;

    while (ntp_ef_next(data, size, pkt, &cursor, &ef)) {
        CHECK(ef.offset == NTP_HEADER_LEN + total);
        CHECK(ef.len >= NTP_EF_MIN_LEN && ef.len % 4 == 0);
        total += ef.len;
        count++;
    }
    CHECK(count == pkt->ef_count && total == pkt->ef_len);
    size_t end = NTP_HEADER_LEN + pkt->ef_len;
    if (pkt->has_mac) {
        CHECK(pkt->mac_offset == end);
        CHECK(pkt->mac_digest_len == 16 || pkt->mac_digest_len == 20);
        end += 4 + pkt->mac_digest_len;
    }
    if (pkt->crypto_nak) {
        CHECK(!pkt->has_mac && pkt->ef_len == 0);
        end += NTP_CRYPTO_NAK_LEN;
    }
    CHECK(end == size);
}

/* A decoded header re-encodes to the same 48 octets; a request gets a well-formed reply. */
static void check_header(const uint8_t *data, const struct ntp_header *hdr)
{
    uint8_t buf[NTP_HEADER_LEN];
    char refid[NTP_REFID_STR_LEN];

    CHECK(ntp_header_encode(hdr, buf, sizeof(buf)) == NTP_HEADER_LEN);
    CHECK(memcmp(buf, data, NTP_HEADER_LEN) == 0);
    ntp_refid_format(hdr->refid, hdr->stratum, refid, sizeof(refid));
    CHECK(strlen(refid) < sizeof(refid));
    CHECK((ntp_kod_code(hdr) == NTP_KOD_NONE) == (hdr->stratum != 0));

    struct ntp_server_state st = {.stratum = 2, .root_delay = 0.01, .root_dispersion = 0.02};
    struct ntp_header reply;
    int rc = ntp_build_reply(hdr, &st, 1, 2, &reply);
    CHECK((rc == 0) == (hdr->mode == NTP_MODE_CLIENT));
    if (rc == 0) {
        struct ntp_header back;
        CHECK(ntp_header_encode(&reply, buf, sizeof(buf)) == NTP_HEADER_LEN);
        CHECK(ntp_header_decode(buf, sizeof(buf), &back) == 0);
        CHECK(back.version == hdr->version && back.mode == NTP_MODE_SERVER);
        CHECK(back.origin_ts == hdr->transmit_ts);
    }
}

static void check_control(const uint8_t *data, size_t size)
{
    struct ntp_ctl_header ctl;
    uint8_t buf[NTP_CTL_HEADER_LEN];

    if (ntp_ctl_decode(data, size, &ctl) != 0)
        return;
    CHECK(ctl.count <= size - NTP_CTL_HEADER_LEN && ctl.count <= NTP_CTL_MAX_DATA);
    CHECK(ntp_ctl_encode(&ctl, buf, sizeof(buf)) == NTP_CTL_HEADER_LEN);
    CHECK(memcmp(buf, data, NTP_CTL_HEADER_LEN) == 0);
}

/* Timestamps from the input: era choice near a pivot, round trips, short format saturation. */
static void check_timestamps(const uint8_t *data, size_t size)
{
    uint64_t ts, raw;
    int64_t pivot_sec;
    double d;

    if (size < 24)
        return;
    memcpy(&ts, data, 8);
    memcpy(&raw, data + 8, 8);
    memcpy(&d, data + 16, 8);
    pivot_sec = (int64_t)(raw % (1ull << 41)) - (1ll << 40); /* +-35000 years */
    struct timespec pivot = {.tv_sec = (time_t)pivot_sec,
                             .tv_nsec = (long)(raw >> 34) % 1000000000};

    struct timespec t = ntp_ts64_to_timespec(ts, &pivot);
    CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
    double from_pivot = (double)(t.tv_sec - pivot.tv_sec) + (t.tv_nsec - pivot.tv_nsec) * 1e-9;
    CHECK(fabs(from_pivot) <= 2147483648.0 + 1e-6);
    /* ts64 -> timespec -> ts64 is within the 1 ns rounding (about 4.3 fraction units). */
    CHECK(fabs(ntp_ts64_diff(ntp_ts64_from_timespec(&t), ts)) <= 0.62e-9);
    if (fabs(d) < 2147483647.0)
        CHECK(fabs(ntp_ts64_diff(ntp_ts64_add(ts, d), ts) - d) <= 1e-9 * (1 + fabs(d)));
    uint32_t sh = ntp_short_from_double(d);
    if (!(d > 0))
        CHECK(sh == 0);
    else if (d >= 65536.0)
        CHECK(sh == UINT32_MAX);
    else
        CHECK(fabs(ntp_short_to_double(sh) - d) <= 1.0 / 65536.0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ntp_packet pkt;
    struct ntp_header hdr;

    int rc = ntp_packet_decode(data, size, &pkt);
    CHECK(rc <= 0 && ntp_strerror(rc) != NULL);
    if (rc == 0) {
        check_extension_fields(data, size, &pkt);
        check_header(data, &pkt.hdr);
    }
    if (ntp_header_decode(data, size, &hdr) == 0)
        CHECK(hdr.version >= 1 && hdr.version <= 4);
    check_control(data, size);
    check_timestamps(data, size);
    return 0;
}
