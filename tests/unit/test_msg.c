// SPDX-License-Identifier: ISC
/* The inter-process message schema: every field check of msg_validate(). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/common/log.h"
#include "daemon/common/msg.h"

#include "tests/unit/msg_frame.h"

size_t frame(struct frame *f, uint16_t type, uint32_t seq)
{
    size_t len = sizeof(f->hdr) + msg_payload_size(type);

    f->hdr = (struct msg_header){
        .version = MSG_VERSION, .type = type, .seq = seq, .length = (uint32_t)len};
    return len;
}

static void good_sample(struct msg_sample *s)
{
    memset(s, 0, sizeof(*s));
    s->slot = 3;
    s->ts_source = s->tx_source = s->rx_source = 1;
    s->t1 = (struct msg_time){1790000000, 1000, 0};
    s->t2 = (struct msg_time){1790000300, 5000, 0};
    s->t3 = (struct msg_time){1790000300, 6000, 0};
    s->t4 = (struct msg_time){1790000000, 90000, 0};
    s->root_delay_s = 0.001;
    s->root_dispersion_s = 0.002;
    s->stratum = 2;
    s->precision_log2 = -20;
    s->map_generation = 1;
}

int validate(struct frame *f, size_t len, uint32_t *seq, char *err)
{
    struct msg_header hdr;
    const void *payload;

    return msg_validate(f, len, seq, &hdr, &payload, err, 160);
}

static void test_valid_sample_advances_sequence(void **state)
{
    struct frame f;
    uint32_t seq = 7;
    char err[160];
    size_t len = frame(&f, MSG_SAMPLE, 7);

    (void)state;
    good_sample(&f.u.sample);
    assert_int_equal(validate(&f, len, &seq, err), 0);
    assert_int_equal(seq, 8);
}

static void expect_reject(struct frame *f, size_t len, const char *what)
{
    uint32_t seq = f->hdr.seq;
    char err[160] = "";

    assert_int_equal(validate(f, len, &seq, err), -1);
    assert_int_equal(seq, f->hdr.seq); /* a rejected message does not advance */
    assert_non_null(strstr(err, what));
}

static void test_header_checks(void **state)
{
    struct frame f;
    size_t len;

    (void)state;
    len = frame(&f, MSG_SAMPLE, 1);
    good_sample(&f.u.sample);
    f.hdr.version = 2;
    expect_reject(&f, len, "version");

    len = frame(&f, 99, 1);
    expect_reject(&f, sizeof(f.hdr), "unknown message type");

    len = frame(&f, MSG_SAMPLE, 1);
    good_sample(&f.u.sample);
    expect_reject(&f, len - 1, "length");
    f.hdr.length = (uint32_t)len + 8;
    expect_reject(&f, len, "length");
    f.hdr.length = (uint32_t)len;
    f.hdr.reserved = 1;
    expect_reject(&f, len, "length");
    expect_reject(&f, 3, "shorter than a header");
}

static void test_sequence_gap_and_replay(void **state)
{
    struct frame f;
    uint32_t seq = 5;
    char err[160];
    size_t len = frame(&f, MSG_SAMPLE, 6);

    (void)state;
    good_sample(&f.u.sample);
    assert_int_equal(validate(&f, len, &seq, err), -1);
    assert_non_null(strstr(err, "sequence"));
    f.hdr.seq = 4;
    assert_int_equal(validate(&f, len, &seq, err), -1);
    f.hdr.seq = 5;
    assert_int_equal(validate(&f, len, &seq, err), 0);
    assert_int_equal(validate(&f, len, &seq, err), -1); /* the same message again */
}

static void test_sample_fields(void **state)
{
    struct frame f;
    size_t len = frame(&f, MSG_SAMPLE, 1);

    (void)state;
    good_sample(&f.u.sample);
    f.u.sample.root_delay_s = NAN;
    expect_reject(&f, len, "root delay");
    good_sample(&f.u.sample);
    f.u.sample.root_dispersion_s = INFINITY;
    expect_reject(&f, len, "root delay");
    good_sample(&f.u.sample);
    f.u.sample.root_delay_s = -1e-9;
    expect_reject(&f, len, "root delay");
    good_sample(&f.u.sample);
    f.u.sample.t3.nsec = 1000000000;
    expect_reject(&f, len, "timestamp");
    good_sample(&f.u.sample);
    f.u.sample.t1.sec = -1;
    expect_reject(&f, len, "timestamp");
    good_sample(&f.u.sample);
    f.u.sample.t4.sec += 100; /* a 100 s round trip */
    expect_reject(&f, len, "inconsistent");
    good_sample(&f.u.sample);
    f.u.sample.slot = MSG_NTP_SLOTS; /* a refclock slot: the parent's, never the child's */
    expect_reject(&f, len, "slot");
    good_sample(&f.u.sample);
    f.u.sample.stratum = 0;
    expect_reject(&f, len, "stratum");
    good_sample(&f.u.sample);
    f.u.sample.leap = 4;
    expect_reject(&f, len, "leap");
    good_sample(&f.u.sample);
    f.u.sample.tx_source = 2; /* ts_source must be the weaker of tx and rx */
    f.u.sample.ts_source = 2;
    expect_reject(&f, len, "timestamp sources");
    good_sample(&f.u.sample);
    f.u.sample.precision_log2 = 3;
    expect_reject(&f, len, "precision");
}

/* A snapshot as the parent publishes one: two sources, the rest unused. */
static void good_snapshot(struct msg_snapshot *m)
{
    memset(m, 0, sizeof(*m));
    m->sync_state = MSG_SYNC_SYNCHRONISED;
    m->stratum = 2;
    m->sys_peer_slot = 1;
    m->poll_log2 = 6;
    m->nsources = 2;
    m->now = (struct msg_time){1790000000, 5, 0};
    m->jitter_s = 1e-6;
    strcpy(m->driver, "virtual");
    for (int i = 0; i < 2; i++) {
        m->sources[i].slot = (uint32_t)i;
        m->sources[i].in_use = 1;
        m->sources[i].tally = i ? '*' : '+';
        m->sources[i].age_s = -1;
        m->sources[i].assoc_id = (uint16_t)(i + 1);
        strcpy(m->sources[i].name, "ntp.example");
    }
    m->sources[0].nts_state = MSG_NTS_READY; /* an NTS source */
    m->sources[0].nts_cookies = MSG_NTS_COOKIES;
    m->sources[0].nts_ke_ok = 1;
    m->sources[0].nts_ke_age_s = 12;
    m->sources[1].nts_ke_age_s = -1;
}

static void expect_snapshot(const struct msg_snapshot *m, bool ok)
{
    char err[160] = "";
    int rc = msg_check_payload(MSG_SNAPSHOT, m, err, sizeof(err));
    if (ok && rc != 0)
        fail_msg("a valid snapshot refused: %s", err);
    if (!ok && rc == 0)
        fail_msg("an invalid snapshot accepted");
}

/* The network child checks every field of the parent's snapshot (a bug must not crash it, nor
 * reach tsyncctl): enums, counts, slots, tallies, times, doubles, strings, unused entries. */
static void test_snapshot_fields(void **state)
{
    static struct msg_snapshot m;
    (void)state;
    good_snapshot(&m);
    expect_snapshot(&m, true);
#define BAD(stmt)                                                                                  \
    do {                                                                                           \
        good_snapshot(&m);                                                                         \
        stmt;                                                                                      \
        expect_snapshot(&m, false);                                                                \
    } while (0)
    BAD(m.offset_s = NAN);
    BAD(m.freq_ppm = INFINITY);
    BAD(m.jitter_s = -1);
    BAD(m.root_dispersion_s = NAN);
    BAD(m.max_error_s = -INFINITY);
    BAD(m.last_step_s = 1e300);
    BAD(m.sources[1].offset_s = NAN);
    BAD(m.sources[0].delay_s = -0.5);
    BAD(m.sources[0].age_s = -2);
    BAD(m.nsources = 49);
    BAD(m.nsources = -1);
    BAD(m.nsources = 1);         /* source 1 beyond nsources but not empty */
    BAD(m.sources[5].reach = 1); /* an unused entry with data */
    BAD(m.sources[1].slot = 0);  /* a slot listed twice */
    BAD(m.sources[1].slot = 48);
    BAD(m.sources[0].in_use = 0); /* a hole below nsources */
    BAD(m.sources[0].tally = 'q');
    BAD(m.sources[0].kind = 3);
    BAD(m.sources[0].ts_source = 4);
    BAD(m.sources[0].reason = 200);
    BAD(m.sources[0].poll_log2 = 100);
    BAD(m.sources[0].name[MSG_NAME_LEN - 1] = 'x'; memset(m.sources[0].name, 'a', MSG_NAME_LEN));
    BAD(m.sources[0].addr[0] = '\n');
    BAD(m.sync_state = 3);
    BAD(m.sync_reason = 250);
    BAD(m.sys_peer_slot = 48);
    BAD(m.sys_peer_slot = -2);
    BAD(m.steps = -1);
    BAD(m.unsync_for_s = -5);
    BAD(m.ref_time.nsec = 1000000000);
    BAD(m.now.sec = -1);
    BAD(m.reason[0] = 7);
    BAD(m.sources[0].nts_state = MSG_NTS_UNAVAILABLE + 1);
    BAD(m.sources[0].nts_cookies = MSG_NTS_COOKIES + 1);
    BAD(m.sources[0].nts_ke_status = MSG_NTSKE_STATUS_COUNT);
    BAD(m.sources[0].pad4 = 1);
    BAD(m.sources[0].nts_ke_age_s = NAN);
    BAD(m.sources[0].nts_ke_age_s = -2);
#undef BAD
}

/* A child's log line: level, class, printable text; a heartbeat: padding. */
static void test_log_and_heartbeat(void **state)
{
    struct msg_log l = {.level = LOG_NOTICE, .cls = LOG_CLASS_PLAIN};
    struct msg_heartbeat hb = {.count = 7};
    char err[160];
    (void)state;
    strcpy(l.text, "source x added");
    assert_int_equal(msg_check_payload(MSG_LOG, &l, err, sizeof(err)), 0);
    assert_int_equal(msg_check_payload(MSG_HEARTBEAT, &hb, err, sizeof(err)), 0);
    l.level = LOG_CRIT; /* a child may not raise alarms above LOG_ERR */
    assert_int_equal(msg_check_payload(MSG_LOG, &l, err, sizeof(err)), -1);
    l.level = LOG_INFO;
    l.cls = LOG_CLASS_PLAIN + 1;
    assert_int_equal(msg_check_payload(MSG_LOG, &l, err, sizeof(err)), -1);
    l.cls = LOG_CLASS_CLOCK;
    strcpy(l.text, "line one\n0.0.0.0 c61c 0c clock_step +1 s"); /* a second line forged */
    assert_int_equal(msg_check_payload(MSG_LOG, &l, err, sizeof(err)), -1);
    memset(l.text, 'a', sizeof(l.text)); /* not terminated */
    assert_int_equal(msg_check_payload(MSG_LOG, &l, err, sizeof(err)), -1);
    hb.pad = 1;
    assert_int_equal(msg_check_payload(MSG_HEARTBEAT, &hb, err, sizeof(err)), -1);
}

static void good_add(struct msg_source_add *a)
{
    memset(a, 0, sizeof(*a));
    a->slot = 1;
    a->kind = MSG_KIND_SERVER;
    a->family = AF_INET;
    a->addr[0] = 10;
    a->port = 123;
    strcpy(a->name, "ntp.example");
}

static void test_source_add_fields(void **state)
{
    struct frame f;
    uint32_t seq = 1;
    char err[160];
    size_t len = frame(&f, MSG_SOURCE_ADD, 1);

    (void)state;
    good_add(&f.u.add);
    assert_int_equal(validate(&f, len, &seq, err), 0);
    good_add(&f.u.add);
    f.u.add.kind = MSG_KIND_REFCLOCK;
    expect_reject(&f, len, "not an NTP source");
    good_add(&f.u.add);
    f.u.add.family = 17;
    expect_reject(&f, len, "family");
    good_add(&f.u.add);
    f.u.add.port = 70000;
    expect_reject(&f, len, "port");
    good_add(&f.u.add);
    f.u.add.name[3] = '\n';
    expect_reject(&f, len, "name");
    good_add(&f.u.add);
    memset(f.u.add.name, 'a', sizeof(f.u.add.name)); /* not NUL-terminated */
    expect_reject(&f, len, "name");
}

static void test_clock_map_and_resolver(void **state)
{
    struct frame f;
    uint32_t seq = 1;
    char err[160];
    size_t len = frame(&f, MSG_CLOCK_MAP, 1);

    (void)state;
    memset(&f.u, 0, sizeof(f.u));
    f.u.map.host_ref = (struct msg_time){1790000000, 0, 0};
    f.u.map.rate_ppm = 100;
    f.u.map.generation = 1;
    assert_int_equal(validate(&f, len, &seq, err), 0);
    f.hdr.seq = 2;
    f.u.map.rate_ppm = NAN;
    expect_reject(&f, len, "CLOCK_MAP");

    len = frame(&f, MSG_RESOLVE, 1);
    memset(&f.u, 0, sizeof(f.u));
    strcpy(f.u.resolve.name, "pool.ntp.org");
    seq = 1;
    assert_int_equal(validate(&f, len, &seq, err), 0);
    strcpy(f.u.resolve.name, "a b");
    f.hdr.seq = 1;
    expect_reject(&f, len, "RESOLVE");

    len = frame(&f, MSG_RESOLVED, 1);
    memset(&f.u, 0, sizeof(f.u));
    f.u.resolved.count = MSG_MAX_ADDRS + 1;
    expect_reject(&f, len, "count");
}

/* Every type has its own number and an exact size: a frame one octet short or long is
 * refused (the NTS types beside main's, which they must not reuse). */
static void test_type_numbers_and_sizes(void **state)
{
    static const uint16_t types[] = {MSG_HELLO,         MSG_SOURCE_ADD,   MSG_SOURCE_REMOVE,
                                     MSG_SOURCE_POLLED, MSG_SAMPLE,       MSG_SOURCE_ANSWERED,
                                     MSG_SERVER_STATS,  MSG_LOG,          MSG_HEARTBEAT,
                                     MSG_CLOCK_MAP,     MSG_SNAPSHOT,     MSG_BURST,
                                     MSG_NTS_KEYS,      MSG_CTL_REQUEST,  MSG_RESOLVE,
                                     MSG_RESOLVED,      MSG_CHANNEL,      MSG_NTSKE_LISTEN,
                                     MSG_NTSKE_REQUEST, MSG_NTSKE_RESULT, MSG_NTSKE_COOKIE_REQ,
                                     MSG_NTSKE_COOKIES};
    static uint8_t buf[sizeof(struct msg_header) + MSG_MAX_SIZE];
    struct msg_header hdr;
    const void *payload;
    char err[160];

    (void)state;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        size_t size = msg_payload_size(types[i]);
        uint32_t seq = 1;

        assert_true(size > 0 && size + sizeof(hdr) <= MSG_MAX_SIZE);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(types[i], types[j]);
        for (int delta = -1; delta <= 1; delta += 2) {
            struct msg_header h = {.version = MSG_VERSION,
                                   .type = types[i],
                                   .seq = 1,
                                   .length = (uint32_t)(sizeof(h) + size + (size_t)delta)};
            memset(buf, 0, sizeof(buf));
            memcpy(buf, &h, sizeof(h));
            assert_int_equal(msg_validate(buf, h.length, &seq, &hdr, &payload, err, sizeof(err)),
                             -1);
            assert_int_equal(seq, 1);
        }
    }
    assert_int_equal(MSG_NTS_KEYS, 19);
}

/* A descriptor passed with msg_send_fd() arrives with msg_recv_fd(). */
static void test_descriptor_passing(void **state)
{
    struct msg_ntske_listen m = {.family = AF_INET};
    uint8_t buf[64];
    uint32_t tx = 1;
    int sp[2], pipefd[2], got;
    ssize_t n;

    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
    assert_int_equal(pipe(pipefd), 0);
    assert_int_equal(msg_recv_fd(sp[1], buf, sizeof(buf), &got), -1); /* nothing yet */
    assert_int_equal(msg_send_fd(sp[0], MSG_NTSKE_LISTEN, &tx, &m, sizeof(m), pipefd[1]), 0);
    n = msg_recv_fd(sp[1], buf, sizeof(buf), &got);
    assert_int_equal(n, sizeof(struct msg_header) + sizeof(m));
    assert_true(got >= 0);
    assert_int_equal(write(got, "x", 1), 1);
    assert_int_equal(read(pipefd[0], buf, 1), 1);
    close(got);
    close(pipefd[0]);
    close(pipefd[1]);
    close(sp[0]);
    close(sp[1]);
}

/* The snapshot's mode 6 fields: unique, non-zero association IDs, the system peer's among them,
 * ranges and padding; what the network child then shows ntpq can be trusted to be sane. */
static void test_snapshot_mode6_fields(void **state)
{
    static struct msg_snapshot snap;
    char err[160];

    (void)state;
    memset(&snap, 0, sizeof(snap));
    snap.nsources = 2;
    for (int i = 0; i < 2; i++) {
        snap.sources[i].slot = (uint32_t)i;
        snap.sources[i].in_use = 1;
        snap.sources[i].tally = ' ';
        snap.sources[i].assoc_id = (uint16_t)(i + 1);
        snap.sources[i].precision_log2 = -20;
        snap.sources[i].server_root_delay_s = 0.01;
    }
    snap.sys_peer_assoc = 2;
    snap.leap_known = 1;
    snap.tai_offset_s = 37;
    snap.leap_last_s = 1483228800;
    snap.leap_expire_s = 1782604800;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), 0);
    snap.sources[1].assoc_id = 1;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "association"));
    snap.sources[1].assoc_id = 0;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), -1);
    snap.sources[1].assoc_id = 2;
    snap.sys_peer_assoc = 9;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), -1);
    snap.sys_peer_assoc = 0;
    snap.sources[0].server_root_delay_s = NAN;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), -1);
    snap.sources[0].server_root_delay_s = 0;
    snap.sources[0].precision_log2 = 3;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), -1);
    snap.sources[0].precision_log2 = -20;
    snap.sources[0].pad2[1] = 1;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), -1);
    snap.sources[0].pad2[1] = 0;
    snap.tai_offset_s = 2000;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), -1);
    snap.tai_offset_s = 37;
    snap.leap_known = 2;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), -1);
    snap.leap_known = 1;
    snap.leap_expire_s = -1;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), -1);
    snap.leap_expire_s = 0;
    assert_int_equal(msg_check_payload(MSG_SNAPSHOT, &snap, err, sizeof(err)), 0);
}

/* sysstats counters: any value (the parent only records them). */
static void test_server_stats(void **state)
{
    struct msg_server_counters c;
    char err[160];

    (void)state;
    memset(&c, 0xff, sizeof(c));
    assert_int_equal(msg_payload_size(MSG_SERVER_STATS), sizeof(c));
    assert_int_equal(msg_check_payload(MSG_SERVER_STATS, &c, err, sizeof(err)), 0);
}

static void test_send_receive_over_socketpair(void **state)
{
    int sp[2];
    uint32_t tx = 1, rx = 1;
    struct msg_sample s;
    uint8_t buf[MSG_MAX_SIZE];
    struct msg_header hdr;
    const void *payload;
    char err[160];
    ssize_t n;

    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
    good_sample(&s);
    assert_int_equal(msg_send(sp[0], MSG_SAMPLE, &tx, &s, sizeof(s)), 0);
    assert_int_equal(tx, 2);
    n = recv(sp[1], buf, sizeof(buf), 0);
    assert_int_equal(msg_validate(buf, (size_t)n, &rx, &hdr, &payload, err, sizeof(err)), 0);
    assert_int_equal(hdr.type, MSG_SAMPLE);
    assert_memory_equal(payload, &s, sizeof(s));
    close(sp[0]);
    close(sp[1]);
}

static void test_copy_str(void **state)
{
    char out[8];

    (void)state;
    msg_copy_str(out, sizeof(out),
                 "ab\x01\xff"
                 "cdefgh");
    assert_string_equal(out, "ab??cde");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_sample_advances_sequence),
        cmocka_unit_test(test_header_checks),
        cmocka_unit_test(test_sequence_gap_and_replay),
        cmocka_unit_test(test_sample_fields),
        cmocka_unit_test(test_source_add_fields),
        cmocka_unit_test(test_clock_map_and_resolver),
        cmocka_unit_test(test_snapshot_mode6_fields),
        cmocka_unit_test(test_server_stats),
        cmocka_unit_test(test_send_receive_over_socketpair),
        cmocka_unit_test(test_nts_messages),
        cmocka_unit_test(test_descriptor_passing),
        cmocka_unit_test(test_type_numbers_and_sizes),
        cmocka_unit_test(test_copy_str),
        cmocka_unit_test(test_snapshot_fields),
        cmocka_unit_test(test_log_and_heartbeat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
