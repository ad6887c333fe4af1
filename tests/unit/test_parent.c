// SPDX-License-Identifier: ISC
/*
 * The privileged parent's dispatcher against a hostile network child: malformed or
 * out-of-place messages are rejected (the caller then kills the child) and never change the
 * clock; well-formed samples do discipline it. The clock is the virtual driver over a fake host
 * clock, so nothing real is touched.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/common/log.h"
#include "daemon/config/config.h"
#include "daemon/parent/parent.h"

static struct cfg cfg;
static struct parent par;
static struct clk *clk;
static struct timespec host_now = {1790000000, 0};
static int sp[2];
static struct chan child_end; /* the parent's end: sp[0] */
static uint32_t seq;

static int fake_host(void *ctx, struct timespec *ts)
{
    (void)ctx;
    *ts = host_now;
    return 0;
}

static int setup(void **state)
{
    struct clk_options o = {
        .kind = CLK_VIRTUAL, .virt_initial_offset_s = 300, .host_clock = fake_host};
    struct parent_options po = {0};
    struct cfg_diag diag;
    char err[256];
    const char *text = "server 10.0.0.1 iburst minpoll 0 maxpoll 2\n"
                       "server 10.0.0.2 iburst minpoll 0 maxpoll 2\n"
                       "clock virtual offset 300\n";

    (void)state;
    cfg_diag_init(&diag);
    assert_int_equal(cfg_load_string("t.conf", text, strlen(text), 0, &cfg, &diag), 0);
    cfg_diag_free(&diag);
    clk = clk_open(&o, err, sizeof(err));
    assert_non_null(clk);
    assert_int_equal(parent_init(&par, &cfg, &po, clk, 100.0, err, sizeof(err)), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sp), 0);
    chan_init_socket(&child_end, sp[0]);
    parent_attach_child(&par, &child_end, 100.0);
    seq = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    parent_fini(&par, 200.0);
    clk_close(clk);
    cfg_free(&cfg);
    chan_close(&child_end);
    close(sp[1]);
    return 0;
}

/* Frame a payload as the child would and hand it to the parent. */
static int deliver(uint16_t type, const void *payload, size_t len, double now)
{
    uint8_t buf[MSG_MAX_SIZE];
    struct msg_header hdr = {
        .version = MSG_VERSION, .type = type, .seq = seq, .length = (uint32_t)(sizeof(hdr) + len)};
    int rc;

    memcpy(buf, &hdr, sizeof(hdr));
    memcpy(buf + sizeof(hdr), payload, len);
    rc = parent_handle_message(&par, buf, sizeof(hdr) + len, now);
    /* A real child is killed after a rejection; here the next message continues at the
     * sequence number the parent expects, so each rejection is tested on its own. */
    seq = par.rx_seq;
    return rc;
}

static int hello(void)
{
    struct msg_hello h = {.pid = 42, .max_sources = MSG_MAX_SOURCES};
    return deliver(MSG_HELLO, &h, sizeof(h), 100.0);
}

static int add(uint32_t slot, uint32_t cfg_index, uint8_t last_octet)
{
    struct msg_source_add a = {.slot = slot,
                               .kind = MSG_KIND_SERVER,
                               .cfg_index = cfg_index,
                               .family = AF_INET,
                               .port = 123,
                               .addr = {10, 0, 0, last_octet}};
    strcpy(a.name, "10.0.0.x");
    return deliver(MSG_SOURCE_ADD, &a, sizeof(a), 100.0);
}

static struct timespec clock_time(void)
{
    struct timespec ts;
    assert_int_equal(clk_now(clk, &ts), 0);
    return ts;
}

/* A reply of a server whose time is the host time: the virtual clock is 300 s ahead. */
static int sample(uint32_t slot, double now)
{
    struct timespec local = clock_time();
    struct msg_sample s = {.slot = slot,
                           .ts_source = 1,
                           .tx_source = 1,
                           .rx_source = 1,
                           .stratum = 1,
                           .precision_log2 = -20,
                           .root_dispersion_s = 0.0001,
                           .map_generation = par.map_generation};

    s.t1 = msg_time_from_timespec(local);
    s.t2 = s.t3 = msg_time_from_timespec(host_now);
    s.t2.nsec = s.t3.nsec = 50000;
    s.t4 = s.t1;
    s.t4.nsec += 100000;
    return deliver(MSG_SAMPLE, &s, sizeof(s), now);
}

static void test_message_before_hello_rejected(void **state)
{
    (void)state;
    assert_int_equal(add(0, 0, 1), -1);
}

static void test_bad_source_announcements_rejected(void **state)
{
    (void)state;
    assert_int_equal(hello(), 0);
    assert_int_equal(add(0, 7, 1), -1); /* no configuration line 7 */
    assert_int_equal(add(0, 0, 1), 0);
    assert_int_equal(add(0, 1, 2), -1); /* slot in use */
    assert_int_equal(add(1, 0, 3), -1); /* a second address for a `server` line */
    assert_int_equal(add(1, 1, 3), 0);
}

static void test_hostile_sample_leaves_clock_alone(void **state)
{
    struct msg_sample s;
    struct timespec before, after;

    (void)state;
    assert_int_equal(hello(), 0);
    assert_int_equal(add(0, 0, 1), 0);
    before = clock_time();
    memset(&s, 0, sizeof(s));
    s.slot = 0;
    s.root_delay_s = NAN;
    assert_int_equal(deliver(MSG_SAMPLE, &s, sizeof(s), 101.0), -1);
    assert_int_equal(deliver(MSG_SAMPLE, &s, 8, 101.0), -1); /* wrong size */
    s.slot = 5;                                              /* a slot never announced */
    s.stratum = 1;
    s.map_generation = 1;
    s.root_delay_s = 0;
    assert_int_equal(deliver(MSG_SAMPLE, &s, sizeof(s), 101.0), -1);
    after = clock_time();
    assert_int_equal(before.tv_sec, after.tv_sec);
    assert_int_equal(before.tv_nsec, after.tv_nsec);
}

/* Two servers on the host time answer 4 polls 2 s apart (an iburst); returns the last `now`. */
static double two_servers_answer_iburst(void)
{
    double now = 100.0;
    int i;

    assert_int_equal(hello(), 0);
    assert_int_equal(add(0, 0, 1), 0);
    assert_int_equal(add(1, 1, 2), 0);
    for (i = 0; i < 4; i++) {
        now += 2.0;
        host_now.tv_sec += 2;
        assert_int_equal(sample(0, now), 0);
        assert_int_equal(sample(1, now), 0);
    }
    return now;
}

static void test_confirmed_offset_is_stepped(void **state)
{
    struct timespec t;

    (void)state;
    two_servers_answer_iburst();
    t = clock_time(); /* stepped back by ~300 s onto the host time */
    assert_true(llabs((long long)t.tv_sec - (long long)host_now.tv_sec) <= 1);
    assert_true(par.stepped);
    assert_int_equal(par.map_generation, 2);
}

/* A sample measured before a step (with the old clock map) arrives after it: it is dropped,
 * not fed to the discipline as a new 300 s error, and not treated as malformed either. */
static void test_sample_from_before_a_step_is_dropped(void **state)
{
    struct msg_sample s;
    double now;

    (void)state;
    now = two_servers_answer_iburst();
    assert_true(par.stepped);
    memset(&s, 0, sizeof(s));
    s = (struct msg_sample){.slot = 0,
                            .ts_source = 1,
                            .tx_source = 1,
                            .rx_source = 1,
                            .stratum = 1,
                            .precision_log2 = -20,
                            .map_generation = 1};
    s.t1 = s.t4 = msg_time_from_timespec(host_now);
    s.t1.sec += 300; /* the pre-step local time */
    s.t4.sec += 300;
    s.t2 = s.t3 = msg_time_from_timespec(host_now);
    assert_int_equal(deliver(MSG_SAMPLE, &s, sizeof(s), now + 2), 0);
    s.map_generation = 3; /* a map the parent never sent */
    assert_int_equal(deliver(MSG_SAMPLE, &s, sizeof(s), now + 3), -1);
    assert_int_equal(par.map_generation, 2);
}

/* The text of the log file written so far. */
static char *read_log(const char *path)
{
    static char text[16384];
    FILE *f = fopen(path, "r");
    size_t n;

    assert_non_null(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* The status word of the first event line whose source starts with src and whose event name
 * (and detail) starts with name; -1 if none. */
static long event_word(const char *log, const char *src, const char *name)
{
    char pattern[64];
    const char *line;

    snprintf(pattern, sizeof(pattern), ": %s", src);
    for (line = strstr(log, pattern); line != NULL; line = strstr(line + 1, pattern)) {
        const char *word = strchr(line + 2, ' ');
        char *end;
        long w = word != NULL ? strtol(word + 1, &end, 16) : -1;

        if (w >= 0 && strncmp(end + 4, name, strlen(name)) == 0)
            return w;
    }
    return -1;
}

/* Event lines as ntpd 4.2 writes them: mobilize and reachable without the reach bit (8011,
 * 8014), sys_peer with reach and no falseticker selection, the step with the clock source of
 * the system peer while LI still says unsynchronised (c61c). No authentication bits. */
static void test_event_words_as_ntpd(void **state)
{
    char path[] = "/tmp/test_parent_log.XXXXXX";
    int fd = mkstemp(path);
    const char *log;
    long w;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(log_to_file(path), 0);
    log_set_event_mask(0xffff);
    two_servers_answer_iburst();
    log_to_stderr();
    log = read_log(path);
    unlink(path);
    assert_int_equal(event_word(log, "10.0.0.1", "mobilize assoc 1"), 0x8011);
    assert_int_equal(event_word(log, "10.0.0.2", "mobilize assoc 2"), 0x8011);
    assert_int_equal(event_word(log, "10.0.0.1", "reachable"), 0x8014);
    w = event_word(log, "10.0.0.", "sys_peer");
    assert_true(w >= 0);
    assert_int_equal(w & 0xf8ff, 0x901a); /* configured, reachable, 1 event */
    assert_true(((w >> 8) & 7) != 1);     /* never a falseticker just before */
    assert_int_equal(event_word(log, "0.0.0.0", "clock_step"), 0xc61c);
    assert_int_equal(par.slots[0].assoc_id, 1);
    assert_int_equal(par.slots[1].assoc_id, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_message_before_hello_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_source_announcements_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_sample_leaves_clock_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirmed_offset_is_stepped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sample_from_before_a_step_is_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_words_as_ntpd, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
