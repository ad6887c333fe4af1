// SPDX-License-Identifier: ISC
/*
 * Mode 6 (daemon/server/mode6): requests as ntpq, ntpstat and check_ntp_peer send them, the
 * answers they parse (header, status words, variable text, fragments), every refusal, and the
 * bounds (packets, amplification, rate).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/common/ntpd_status.h"
#include "daemon/server/mode6.h"

static struct msg_snapshot snap;
static struct m6_response resp;
static struct m6_context ctx;
static char text[4 * M6_PACKET_LEN + 1];

static void add_source(int i, uint16_t assoc, uint8_t kind, const char *name, const char *addr,
                       char tally)
{
    struct msg_source_state *s = &snap.sources[i];

    s->slot = (uint32_t)i;
    s->in_use = 1;
    s->kind = kind;
    s->assoc_id = assoc;
    s->tally = (uint8_t)tally;
    s->reach = 0377;
    s->stratum = 1;
    s->poll_log2 = 6;
    s->samples = 8;
    s->server_refid = 0x47505300; /* "GPS" */
    s->precision_log2 = -20;
    s->offset_s = 0.0012345;
    s->delay_s = 0.000250;
    s->jitter_s = 0.0000123;
    s->dispersion_s = 0.001;
    s->server_root_dispersion_s = 0.0005;
    s->age_s = 12;
    s->ntpd_status = ntpd_peer_status(
        (kind != MSG_KIND_POOL ? NTPD_PEER_CONFIG : 0) | NTPD_PEER_REACH,
        ntpd_selection_of_tally(tally), &(struct ntpd_events){.last = 0xa, .count = 1});
    msg_copy_str(s->name, sizeof(s->name), name);
    msg_copy_str(s->addr, sizeof(s->addr), addr);
    snap.nsources++;
}

static int setup(void **state)
{
    (void)state;
    memset(&snap, 0, sizeof(snap));
    snap.sync_state = MSG_SYNC_SYNCHRONISED;
    snap.leap = 0;
    snap.stratum = 2;
    snap.refid = 0x0a000001;
    snap.root_delay_s = 0.000250;
    snap.root_dispersion_s = 0.0012;
    snap.poll_log2 = 6;
    snap.min_poll_log2 = 4;
    snap.offset_s = 0.0000042;
    snap.freq_ppm = -12.5;
    snap.now = (struct msg_time){.sec = 1790000000};
    snap.ref_time = (struct msg_time){.sec = 1789999990};
    snap.sys_peer_slot = 0;
    add_source(0, 7, MSG_KIND_SERVER, "ntp1.example", "10.0.0.1", '*');
    add_source(2, 3, MSG_KIND_POOL, "pool.example", "[2001:db8::2]:10123", '+');
    add_source(33, 9, MSG_KIND_REFCLOCK, "/dev/ptp0", "PHC1(/dev/ptp0)", '-');
    snap.sys_peer_assoc = 7;
    snap.ntpd_status = ntpd_sys_status(0, NTPD_SOURCE_NTP, &(struct ntpd_events){5, 1});
    ctx = (struct m6_context){.snap = &snap,
                              .now = {1790000001, 0},
                              .precision_log2 = -24,
                              .max_octets = M6_MAX_PACKETS * M6_PACKET_LEN};
    return 0;
}

/* A request as ntpq sends it: VN 2, the data padded to 4 octets. Returns its length. */
static size_t request(uint8_t *buf, uint8_t opcode, uint16_t assoc, const char *data)
{
    size_t n = data != NULL ? strlen(data) : 0;

    memset(buf, 0, 12 + n + 4);
    buf[0] = 2 << 3 | 6;
    buf[1] = opcode;
    buf[3] = 42; /* sequence */
    buf[6] = (uint8_t)(assoc >> 8);
    buf[7] = (uint8_t)assoc;
    buf[10] = (uint8_t)(n >> 8);
    buf[11] = (uint8_t)n;
    if (n > 0)
        memcpy(buf + 12, data, n);
    return (12 + n + 3) & ~(size_t)3;
}

static void ask(uint8_t opcode, uint16_t assoc, const char *data)
{
    uint8_t buf[600];

    m6_answer(buf, request(buf, opcode, assoc, data), &ctx, &resp);
}

static unsigned get16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* Reassembles the fragments as ntpq does, checking each header. */
static const char *reassemble(uint8_t opcode)
{
    size_t at = 0;

    assert_true(resp.n >= 1);
    for (int i = 0; i < resp.n; i++) {
        const uint8_t *p = resp.pkt[i];
        size_t count = get16(p + 10);

        assert_int_equal(p[0], 0 << 6 | 2 << 3 | 6); /* LI 0 (synchronised), VN 2, mode 6 */
        assert_int_equal(p[1] & 0x9f, 0x80 | opcode);
        assert_int_equal(!!(p[1] & 0x20), i + 1 < resp.n); /* More on all but the last */
        assert_int_equal(get16(p + 2), 42);
        assert_int_equal(get16(p + 8), at);
        assert_true(count <= NTP_CTL_MAX_DATA);
        assert_int_equal(resp.len[i], (12 + count + 3) & ~(size_t)3);
        memcpy(text + at, p + 12, count);
        at += count;
    }
    text[at] = '\0';
    return text;
}

static void assert_error(uint8_t opcode, unsigned code)
{
    assert_int_equal(resp.n, 1);
    assert_int_equal(resp.len[0], 12);
    assert_int_equal(resp.pkt[0][1], 0x80 | 0x40 | opcode);
    assert_int_equal(get16(resp.pkt[0] + 4), code << 8);
    assert_int_equal(get16(resp.pkt[0] + 10), 0);
}

/* READSTAT: (association, status) pairs in ID order; the header carries the system word. */
static void test_readstat_lists_associations(void **state)
{
    const uint8_t *d;

    (void)state;
    ask(M6_OP_READSTAT, 0, NULL);
    assert_int_equal(resp.n, 1);
    assert_int_equal(get16(resp.pkt[0] + 4), 0x0615);
    assert_int_equal(get16(resp.pkt[0] + 10), 12);
    d = resp.pkt[0] + 12;
    assert_int_equal(get16(d), 3);
    assert_int_equal(get16(d + 2), 0x141a); /* pool member: not configured, candidate */
    assert_int_equal(get16(d + 4), 7);
    assert_int_equal(get16(d + 6), 0x961a); /* sys.peer: what check_ntp_peer looks for */
    assert_int_equal(get16(d + 8), 9);
    ask(M6_OP_READSTAT, 7, NULL);
    assert_int_equal(get16(resp.pkt[0] + 4), 0x961a);
    assert_int_equal(get16(resp.pkt[0] + 10), 0);
    ask(M6_OP_READSTAT, 8, NULL);
    assert_error(M6_OP_READSTAT, M6_ERR_BADASSOC);
}

/* READVAR of the system: ntpd's names and formats, lines of at most 72 characters, what ntpstat
 * reads within the first packet. */
static void test_readvar_system(void **state)
{
    const char *t;

    (void)state;
    ask(M6_OP_READVAR, 0, NULL);
    t = reassemble(M6_OP_READVAR);
    assert_int_equal(strncmp(t, "version=\"tsyncd ", 16), 0);
    assert_non_null(strstr(t, "\", processor=\""));
    assert_non_null(strstr(t, "\", system=\"Linux\", leap=0,\r\nstratum=2, precision=-24, "
                              "rootdelay=0.250, rootdisp=1.200,\r\nrootdist=1.325, "));
    assert_non_null(strstr(t, "refid=10.0.0.1"));
    assert_non_null(strstr(t, "peer=7"));
    assert_non_null(strstr(t, "tc=6"));
    assert_non_null(strstr(t, "mintc=4"));
    assert_non_null(strstr(t, "offset=0.004200"));
    assert_non_null(strstr(t, "frequency=-12.500"));
    assert_null(strstr(t, "leapsec=")); /* no leap file */
    assert_null(strstr(t, "peeradr"));  /* not in ntpd's default list */
    assert_int_equal(strcmp(t + strlen(t) - 2, "\r\n"), 0);
    for (const char *line = t; *line != '\0';) {
        const char *end = strstr(line, "\r\n");
        assert_non_null(end);
        assert_true(end - line < M6_LINE_MAX);
        line = end + 2;
    }
    char first[NTP_CTL_MAX_DATA + 1];
    memcpy(first, resp.pkt[0] + 12, get16(resp.pkt[0] + 10));
    first[get16(resp.pkt[0] + 10)] = '\0';
    const char *ntpstat_vars[] = {"stratum=", "rootdelay=", "rootdisp=", "refid=", "tc="};
    for (size_t i = 0; i < 5; i++)
        assert_non_null(strstr(first, ntpstat_vars[i]));
}

/* What check_ntp_peer asks of its sync source, exactly. */
static void test_readvar_named_peer_variables(void **state)
{
    (void)state;
    ask(M6_OP_READVAR, 7, "stratum,offset,jitter");
    assert_string_equal(reassemble(M6_OP_READVAR), "stratum=1, offset=1.234, jitter=0.012\r\n");
    assert_int_equal(get16(resp.pkt[0] + 4), 0x961a);
    assert_int_equal(get16(resp.pkt[0] + 6), 7);
    ask(M6_OP_READVAR, 0, " leap ,stratum=9,\r\nrootdist");
    assert_string_equal(reassemble(M6_OP_READVAR), "leap=0, stratum=2, rootdist=1.325\r\n");
    ask(M6_OP_READVAR, 0, "stratum,bogus");
    assert_error(M6_OP_READVAR, M6_ERR_UNKNOWNVAR);
    ask(M6_OP_READVAR, 7, "srcadr,frobnicate");
    assert_error(M6_OP_READVAR, M6_ERR_UNKNOWNVAR);
    ask(M6_OP_READVAR, 99, NULL);
    assert_error(M6_OP_READVAR, M6_ERR_BADASSOC);
}

/* All variables of a source, as ntpq -p reads them: address, port, refid, reach in hex, polls,
 * times in ms; a refclock shows 127.127.0.N with its name in srchost (ntpq's 'l' type). */
static void test_readvar_peer_defaults(void **state)
{
    const char *t;

    (void)state;
    ask(M6_OP_READVAR, 3, NULL);
    t = reassemble(M6_OP_READVAR);
    assert_non_null(strstr(t, "srcadr=2001:db8::2, srcport=10123, leap=0, stratum=1"));
    assert_null(strstr(t, "srchost")); /* a pool member has no configured name */
    assert_non_null(strstr(t, "refid=GPS"));
    assert_non_null(strstr(t, "reach=0xff"));
    assert_non_null(strstr(t, "hmode=3"));
    assert_non_null(strstr(t, "hpoll=6, ppoll=6"));
    assert_non_null(strstr(t, "offset=1.234"));
    assert_non_null(strstr(t, "delay=0.250"));
    assert_non_null(strstr(t, "dispersion=1.000"));
    assert_non_null(strstr(t, "jitter=0.012"));
    assert_non_null(strstr(t, "rec=0x"));
    ask(M6_OP_READVAR, 7, NULL);
    t = reassemble(M6_OP_READVAR);
    assert_non_null(strstr(t, "srcadr=10.0.0.1, srcport=123, srchost=\"ntp1.example\""));
    ask(M6_OP_READVAR, 9, NULL);
    t = reassemble(M6_OP_READVAR);
    assert_non_null(strstr(t, "srcadr=127.127.0.1, srchost=\"PHC1(/dev/ptp0)\""));
    assert_null(strstr(t, "pmode"));
}

/* Writes, traps, the MRU and interface lists are refused as ntpd refuses unauthorised
 * requests; unknown opcodes are bad opcodes. Nothing is ever changed (there is no write path). */
static void test_refusals(void **state)
{
    static const uint8_t permission[] = {M6_OP_WRITEVAR,       M6_OP_WRITECLOCK, M6_OP_SETTRAP,
                                         M6_OP_CONFIGURE,      M6_OP_SAVECONFIG, M6_OP_READ_MRU,
                                         M6_OP_READ_ORDLIST_A, M6_OP_REQ_NONCE,  M6_OP_UNSETTRAP};
    static const uint8_t badop[] = {0, M6_OP_READCLOCK, M6_OP_ASYNCMSG, 13, 30};

    (void)state;
    for (size_t i = 0; i < sizeof(permission); i++) {
        ask(permission[i], 0, "leap=1");
        assert_error(permission[i], M6_ERR_PERMISSION);
    }
    for (size_t i = 0; i < sizeof(badop); i++) {
        ask(badop[i], 0, NULL);
        assert_error(badop[i], M6_ERR_BADOP);
    }
}

/* Not requests: silence. A count beyond the packet: a format error. */
static void test_malformed_requests(void **state)
{
    uint8_t buf[64];
    size_t n;

    (void)state;
    n = request(buf, M6_OP_READVAR, 0, NULL);
    buf[1] |= 0x80; /* a response */
    m6_answer(buf, n, &ctx, &resp);
    assert_int_equal(resp.n, 0);
    n = request(buf, M6_OP_READVAR, 0, NULL);
    buf[1] |= 0x20; /* a fragment */
    m6_answer(buf, n, &ctx, &resp);
    assert_int_equal(resp.n, 0);
    n = request(buf, M6_OP_READVAR, 0, NULL);
    buf[9] = 4; /* offset */
    m6_answer(buf, n, &ctx, &resp);
    assert_int_equal(resp.n, 0);
    n = request(buf, M6_OP_READVAR, 0, NULL);
    buf[0] = 5 << 3 | 6; /* version 5 */
    m6_answer(buf, n, &ctx, &resp);
    assert_int_equal(resp.n, 0);
    m6_answer(buf, 11, &ctx, &resp);
    assert_int_equal(resp.n, 0);
    buf[0] = 2 << 3 | 7; /* mode 7 */
    m6_answer(buf, n, &ctx, &resp);
    assert_int_equal(resp.n, 0);
    assert_false(m6_is_request(buf, n));
    n = request(buf, M6_OP_READVAR, 0, "stratum");
    buf[11] = 40; /* more data than the packet has */
    m6_answer(buf, n, &ctx, &resp);
    assert_error(M6_OP_READVAR, M6_ERR_BADFMT);
}

/* ntpstat's request: VN 2, 576 octets of which 564 are zeros after a count of 0. */
static void test_ntpstat_request(void **state)
{
    uint8_t buf[576] = {2 << 3 | 6, M6_OP_READVAR, 0, 1};

    (void)state;
    m6_answer(buf, sizeof(buf), &ctx, &resp);
    assert_true(resp.n >= 1);
    assert_int_equal(resp.pkt[0][0] & 0x3f, 0x16);
    assert_int_equal(resp.pkt[0][1] & ~0x20, 0x82);
    assert_int_equal(resp.pkt[0][4] >> 6, 0);   /* LI of the system status: synchronised */
    assert_int_equal(resp.pkt[0][4] & 0x3f, 6); /* clock source: NTP */
}

/* Long answers are split between items, never inside one; beyond M6_MAX_PACKETS: an error. */
static void test_fragments(void **state)
{
    char list[NTP_CTL_MAX_DATA + 1] = "";
    const char *t;

    (void)state;
    while (strlen(list) + 8 < NTP_CTL_MAX_DATA)
        strcat(list, "version,");
    ask(M6_OP_READVAR, 0, list);
    assert_true(resp.n >= 2);
    t = reassemble(M6_OP_READVAR);
    for (int i = 0; i < resp.n; i++) {
        const char *d = (const char *)resp.pkt[i] + 12;
        size_t count = get16(resp.pkt[i] + 10);
        assert_true(strncmp(d, "version=", 8) == 0 || strncmp(d, ", version=", 10) == 0 ||
                    strncmp(d, ",\r\nversion=", 11) == 0);
        assert_true(d[count - 1] == '"' || (i + 1 == resp.n && d[count - 1] == '\n'));
    }
    assert_non_null(strstr(t, "version=\"tsyncd "));
    list[0] = '\0';
    while (strlen(list) + 4 < NTP_CTL_MAX_DATA)
        strcat(list, "rec,");
    ask(M6_OP_READVAR, 7, list);
    assert_error(M6_OP_READVAR, M6_ERR_UNSPEC);
}

/* The amplification bound: a response larger than max_octets becomes a 12-octet refusal. */
static void test_amplification_bound(void **state)
{
    uint8_t buf[64];
    size_t n;

    (void)state;
    n = request(buf, M6_OP_READVAR, 0, NULL);
    ctx.max_octets = M6_REMOTE_FACTOR * n;
    m6_answer(buf, n, &ctx, &resp);
    assert_error(M6_OP_READVAR, M6_ERR_PERMISSION);
    n = request(buf, M6_OP_READVAR, 7, "stratum,offset,jitter");
    ctx.max_octets = M6_REMOTE_FACTOR * n;
    m6_answer(buf, n, &ctx, &resp);
    assert_true(m6_response_octets(&resp) <= ctx.max_octets);
    assert_int_equal(resp.pkt[0][1], 0x80 | M6_OP_READVAR); /* answered */
}

/* Without a snapshot: unsynchronised, no associations. */
static void test_no_snapshot(void **state)
{
    (void)state;
    ctx.snap = NULL;
    ask(M6_OP_READSTAT, 0, NULL);
    assert_int_equal(resp.n, 1);
    assert_int_equal(resp.pkt[0][0] >> 6, 3);
    assert_int_equal(get16(resp.pkt[0] + 4), 0xc000);
    assert_int_equal(get16(resp.pkt[0] + 10), 0);
    ask(M6_OP_READVAR, 0, "stratum,refid");
    assert_int_equal(get16(resp.pkt[0] + 10), strlen("stratum=16, refid=INIT\r\n"));
}

static void test_leap_variables(void **state)
{
    const char *t;

    (void)state;
    snap.leap_known = 1;
    snap.tai_offset_s = 37;
    snap.leap_last_s = 1483228800;   /* 2017-01-01 */
    snap.leap_expire_s = 1798416000; /* 2026-12-28 */
    ask(M6_OP_READVAR, 0, "tai,leapsec,expire");
    t = reassemble(M6_OP_READVAR);
    assert_string_equal(t, "tai=37, leapsec=201701010000, expire=202612280000\r\n");
}

static void test_rate_bucket(void **state)
{
    struct m6_bucket b;

    (void)state;
    m6_bucket_init(&b, 2, 1);
    assert_true(m6_bucket_take(&b, 1000000000));
    assert_true(m6_bucket_take(&b, 1000000000));
    assert_false(m6_bucket_take(&b, 1100000000));
    assert_false(m6_bucket_take(&b, 1500000000));
    assert_true(m6_bucket_take(&b, 2100000000));
    assert_false(m6_bucket_take(&b, 2100000000));
    assert_true(m6_bucket_take(&b, 60000000000)); /* refilled to the burst, not beyond */
    assert_true(m6_bucket_take(&b, 60000000000));
    assert_false(m6_bucket_take(&b, 60000000000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_readstat_lists_associations, setup),
        cmocka_unit_test_setup(test_readvar_system, setup),
        cmocka_unit_test_setup(test_readvar_named_peer_variables, setup),
        cmocka_unit_test_setup(test_readvar_peer_defaults, setup),
        cmocka_unit_test_setup(test_refusals, setup),
        cmocka_unit_test_setup(test_malformed_requests, setup),
        cmocka_unit_test_setup(test_ntpstat_request, setup),
        cmocka_unit_test_setup(test_fragments, setup),
        cmocka_unit_test_setup(test_amplification_bound, setup),
        cmocka_unit_test_setup(test_no_snapshot, setup),
        cmocka_unit_test_setup(test_leap_variables, setup),
        cmocka_unit_test(test_rate_bucket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
