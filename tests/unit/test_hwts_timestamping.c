// SPDX-License-Identifier: ISC
// hwts/timestamping: control-message parsing with constructed messages, and real loopback
// sockets (kernel RX stamp, kernel TX stamp from the error queue with its OPT_ID, fallbacks).

#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>

#include "hwts/timestamping.h"

// A msghdr whose control buffer is filled by cmsg_add().
struct cmsg_builder {
    uint64_t buf[TS_CONTROL_LEN / sizeof(uint64_t)];
    struct msghdr msg;
    size_t used;
};

static void cmsg_init(struct cmsg_builder *b)
{
    memset(b, 0, sizeof(*b));
    b->msg.msg_control = b->buf;
    b->msg.msg_controllen = sizeof(b->buf);
}

// Appends a control message with `len` bytes of `data` (cmsg_len = CMSG_LEN(len)).
static void cmsg_add(struct cmsg_builder *b, int level, int type, const void *data, size_t len)
{
    struct cmsghdr *c = (struct cmsghdr *)((char *)b->buf + b->used);
    assert_true(b->used + CMSG_SPACE(len) <= sizeof(b->buf));
    memset(c, 0, CMSG_SPACE(len));
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(len);
    memcpy(CMSG_DATA(c), data, len);
    b->used += CMSG_SPACE(len);
    b->msg.msg_controllen = b->used;
}

static void add_scm_timestamping(struct cmsg_builder *b, struct timespec sw, struct timespec hw)
{
    struct scm_timestamping st = {.ts = {sw, {0, 0}, hw}};
    cmsg_add(b, SOL_SOCKET, SCM_TIMESTAMPING, &st, sizeof(st));
}

static void add_tx_error(struct cmsg_builder *b, int level, int type, uint8_t origin, uint32_t info,
                         uint32_t key)
{
    struct sock_extended_err ee = {
        .ee_errno = ENOMSG, .ee_origin = origin, .ee_info = info, .ee_data = key};
    cmsg_add(b, level, type, &ee, sizeof(ee));
}

static const struct timespec sw_stamp = {1700000000, 123456789};
static const struct timespec hw_stamp = {1700000037, 500};
static const struct timespec user_now = {1700000001, 1};
static const struct timespec zero_ts = {0, 0};

static void assert_ts_equal(struct timespec a, struct timespec b)
{
    assert_int_equal(a.tv_sec, b.tv_sec);
    assert_int_equal(a.tv_nsec, b.tv_nsec);
}

static void test_rx_software_stamp(void **state)
{
    struct cmsg_builder b;
    struct ts_rx rx;
    cmsg_init(&b);
    add_scm_timestamping(&b, sw_stamp, zero_ts);
    assert_int_equal(ts_parse_rx(&b.msg, &user_now, &rx), TS_SRC_KERNEL);
    assert_ts_equal(rx.ts, sw_stamp);
    assert_false(rx.has_hw);
    assert_int_equal(rx.hw_if_index, 0);
}

static void test_rx_hardware_stamp_with_pktinfo(void **state)
{
    struct cmsg_builder b;
    struct ts_rx rx;
    struct scm_ts_pktinfo pi = {.if_index = 7, .pkt_length = 90};
    cmsg_init(&b);
    add_scm_timestamping(&b, sw_stamp, hw_stamp);
    cmsg_add(&b, SOL_SOCKET, SCM_TIMESTAMPING_PKTINFO, &pi, sizeof(pi));
    assert_int_equal(ts_parse_rx(&b.msg, &user_now, &rx), TS_SRC_KERNEL);
    assert_true(rx.has_hw);
    assert_ts_equal(rx.hw_raw, hw_stamp);
    assert_ts_equal(rx.ts, sw_stamp);
    assert_int_equal(rx.hw_if_index, 7);
    assert_int_equal(rx.hw_pkt_len, 90);
}

static void test_rx_hardware_only_falls_back_to_user(void **state)
{
    struct cmsg_builder b;
    struct ts_rx rx;
    cmsg_init(&b);
    add_scm_timestamping(&b, zero_ts, hw_stamp);
    assert_int_equal(ts_parse_rx(&b.msg, &user_now, &rx), TS_SRC_USER);
    assert_ts_equal(rx.ts, user_now);
    assert_true(rx.has_hw);
}

static void test_rx_timestampns(void **state)
{
    struct cmsg_builder b;
    struct ts_rx rx;
    int other = 1;
    cmsg_init(&b);
    cmsg_add(&b, SOL_IP, IP_TTL, &other, sizeof(other)); // ignored
    cmsg_add(&b, SOL_SOCKET, SCM_TIMESTAMPNS, &sw_stamp, sizeof(sw_stamp));
    assert_int_equal(ts_parse_rx(&b.msg, &user_now, &rx), TS_SRC_KERNEL);
    assert_ts_equal(rx.ts, sw_stamp);
}

static void test_rx_no_control(void **state)
{
    struct msghdr msg = {0};
    struct ts_rx rx;
    assert_int_equal(ts_parse_rx(&msg, &user_now, &rx), TS_SRC_USER);
    assert_ts_equal(rx.ts, user_now);
    assert_int_equal(ts_parse_rx(&msg, NULL, &rx), TS_SRC_NONE);
}

static void test_rx_truncated_cmsg_ignored(void **state)
{
    struct cmsg_builder b;
    struct ts_rx rx;
    char short_payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    cmsg_init(&b);
    cmsg_add(&b, SOL_SOCKET, SCM_TIMESTAMPING, short_payload, sizeof(short_payload));
    assert_int_equal(ts_parse_rx(&b.msg, &user_now, &rx), TS_SRC_USER);
    assert_false(rx.has_hw);
}

// A cmsg_len that claims more than the control buffer holds (truncated, or a simulator's): the
// payload beyond msg_controllen is not read. And stamps the kernel never writes (tv_nsec out
// of range) are ignored.
static void test_rx_cmsg_beyond_buffer_and_bad_stamps_ignored(void **state)
{
    struct cmsg_builder b;
    struct ts_rx rx;
    cmsg_init(&b);
    add_scm_timestamping(&b, sw_stamp, hw_stamp);
    b.msg.msg_controllen = CMSG_LEN(sizeof(struct timespec)); /* the first stamp only */
    assert_int_equal(ts_parse_rx(&b.msg, &user_now, &rx), TS_SRC_USER);
    assert_false(rx.has_hw);
    cmsg_init(&b);
    add_scm_timestamping(&b, (struct timespec){1700000000, 1000000000L}, (struct timespec){-1, 5});
    assert_int_equal(ts_parse_rx(&b.msg, &user_now, &rx), TS_SRC_USER);
    assert_false(rx.has_hw);
}

static void test_rx_use_hw_checks_distance(void **state)
{
    struct cmsg_builder b;
    struct ts_rx rx;
    struct timespec near = {sw_stamp.tv_sec, sw_stamp.tv_nsec + 2000};
    struct timespec far = {sw_stamp.tv_sec + 2, sw_stamp.tv_nsec};
    cmsg_init(&b);
    add_scm_timestamping(&b, sw_stamp, hw_stamp);
    ts_parse_rx(&b.msg, &user_now, &rx);
    assert_false(ts_rx_use_hw(&rx, &far, 1.0));
    assert_int_equal(rx.source, TS_SRC_KERNEL);
    assert_ts_equal(rx.ts, sw_stamp);
    assert_true(ts_rx_use_hw(&rx, &near, 1.0));
    assert_int_equal(rx.source, TS_SRC_HARDWARE);
    assert_ts_equal(rx.ts, near);
}

static void test_tx_kernel_stamp_ipv4(void **state)
{
    struct cmsg_builder b;
    struct ts_tx tx;
    struct in_pktinfo pi = {.ipi_ifindex = 3};
    cmsg_init(&b);
    add_scm_timestamping(&b, sw_stamp, zero_ts);
    add_tx_error(&b, SOL_IP, IP_RECVERR, SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND, 41);
    cmsg_add(&b, SOL_IP, IP_PKTINFO, &pi, sizeof(pi));
    assert_int_equal(ts_parse_tx(&b.msg, &tx), 0);
    assert_int_equal(tx.id, 41);
    assert_int_equal(tx.source, TS_SRC_KERNEL);
    assert_ts_equal(tx.ts, sw_stamp);
    assert_int_equal(tx.if_index, 3);
}

static void test_tx_hardware_stamp_ipv6(void **state)
{
    struct cmsg_builder b;
    struct ts_tx tx;
    cmsg_init(&b);
    add_tx_error(&b, SOL_IPV6, IPV6_RECVERR, SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND,
                 0xffffffffu);
    add_scm_timestamping(&b, zero_ts, hw_stamp);
    assert_int_equal(ts_parse_tx(&b.msg, &tx), 0);
    assert_int_equal(tx.id, 0xffffffffu);
    assert_int_equal(tx.source, TS_SRC_HARDWARE);
    assert_ts_equal(tx.hw_raw, hw_stamp);
}

static void test_tx_rejects_non_timestamps(void **state)
{
    struct cmsg_builder b;
    struct ts_tx tx;
    // An ICMP error (origin ICMP) with a stamp is not a TX timestamp.
    cmsg_init(&b);
    add_scm_timestamping(&b, sw_stamp, zero_ts);
    add_tx_error(&b, SOL_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP, 0, 1);
    assert_int_equal(ts_parse_tx(&b.msg, &tx), -ENOMSG);
    // A scheduler stamp is not the send time.
    cmsg_init(&b);
    add_scm_timestamping(&b, sw_stamp, zero_ts);
    add_tx_error(&b, SOL_IP, IP_RECVERR, SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SCHED, 1);
    assert_int_equal(ts_parse_tx(&b.msg, &tx), -ENOMSG);
    // An extended error without any stamp.
    cmsg_init(&b);
    add_tx_error(&b, SOL_IP, IP_RECVERR, SO_EE_ORIGIN_TIMESTAMPING, SCM_TSTAMP_SND, 1);
    assert_int_equal(ts_parse_tx(&b.msg, &tx), -ENOMSG);
}

static void test_names(void **state)
{
    assert_string_equal(ts_mode_name(TS_MODE_KERNEL), "kernel");
    assert_string_equal(ts_mode_name(TS_MODE_NS), "kernel-rx");
    assert_string_equal(ts_source_name(TS_SRC_HARDWARE), "hardware");
    assert_string_equal(ts_source_name(TS_SRC_USER), "user");
}

// ---- real sockets on loopback ----

// A UDP socket bound to the loopback address of `family` on an ephemeral port and connected
// to itself, or -1 when that family has no loopback address here.
static int loopback_socket(int family)
{
    struct sockaddr_storage addr = {.ss_family = (sa_family_t)family};
    socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    if (family == AF_INET)
        ((struct sockaddr_in *)&addr)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else
        ((struct sockaddr_in6 *)&addr)->sin6_addr = in6addr_loopback;
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, len) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, len), 0);
    return fd;
}

static double ts_diff_s(struct timespec a, struct timespec b)
{
    return (double)(a.tv_sec - b.tv_sec) + (double)(a.tv_nsec - b.tv_nsec) * 1e-9;
}

// Receives one datagram and parses its stamps.
static enum ts_source receive_one(int fd, struct ts_rx *rx)
{
    uint64_t control[TS_CONTROL_LEN / sizeof(uint64_t)];
    char data[64];
    struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control,
                         .msg_controllen = sizeof(control)};
    struct timespec now;
    assert_int_equal(recvmsg(fd, &msg, 0), 4);
    clock_gettime(CLOCK_REALTIME, &now);
    return ts_parse_rx(&msg, &now, rx);
}

// Waits (bounded) for the error queue to signal a TX stamp and reads it.
static int wait_tx(int fd, struct ts_tx *tx)
{
    struct pollfd pfd = {.fd = fd, .events = POLLPRI};
    int n = poll(&pfd, 1, 1000);
    assert_int_equal(n, 1);
    assert_true(pfd.revents & (POLLERR | POLLPRI));
    return ts_read_tx(fd, tx);
}

// Sends two datagrams to itself on a socket set up with `flags`: each gets a kernel RX stamp and
// a kernel TX stamp numbered 0, 1 (loopback has no hardware stamping, so kernel stamps remain).
static void check_loopback_stamps(int family, unsigned int flags, enum ts_mode expected)
{
    int fd = loopback_socket(family);
    if (fd < 0) {
        print_message("no loopback address for family %d\n", family);
        skip();
    }
    uint32_t sof = 0;
    struct timespec before, after;
    struct ts_rx rx;
    struct ts_tx tx;
    assert_int_equal(ts_enable(fd, flags, &sof), expected);
    assert_true(sof & SOF_TIMESTAMPING_OPT_ID);
    assert_true(sof & SOF_TIMESTAMPING_TX_SOFTWARE);
    assert_int_equal(!!(sof & SOF_TIMESTAMPING_RAW_HARDWARE), expected == TS_MODE_HARDWARE);
    assert_int_equal(ts_read_tx(fd, &tx), 0); // nothing sent yet

    for (uint32_t id = 0; id < 2; id++) {
        clock_gettime(CLOCK_REALTIME, &before);
        assert_int_equal(send(fd, "ping", 4, 0), 4);
        assert_int_equal(wait_tx(fd, &tx), 1);
        assert_int_equal(tx.id, id);
        assert_int_equal(tx.source, TS_SRC_KERNEL);
        assert_int_equal(receive_one(fd, &rx), TS_SRC_KERNEL);
        clock_gettime(CLOCK_REALTIME, &after);
        assert_true(ts_diff_s(tx.ts, before) > -0.005 && ts_diff_s(after, tx.ts) > -0.005);
        assert_true(ts_diff_s(rx.ts, before) > -0.005 && ts_diff_s(after, rx.ts) > -0.005);
        assert_true(ts_diff_s(rx.ts, tx.ts) >= 0.0);
        print_message("family %d datagram %u: kernel TX -> kernel RX %.1f us\n", family, id,
                      ts_diff_s(rx.ts, tx.ts) * 1e6);
        assert_int_equal(ts_read_tx(fd, &tx), 0); // drained
    }
    close(fd);
}

// The kernel turns RX software stamping on asynchronously (a deferred static key) when the
// first socket of the system asks for it, and off when the last one closes: until then
// datagrams arrive without a kernel stamp. The group keeps one stamping socket open and waits
// (at most 1 s) until its datagrams are stamped, so that each test sees a settled kernel.
static int keeper_fd = -1;

static int keep_rx_stamping_on(void **state)
{
    struct ts_rx rx;
    keeper_fd = loopback_socket(AF_INET);
    if (keeper_fd < 0 || ts_enable(keeper_fd, 0, NULL) != TS_MODE_KERNEL)
        return -1;
    for (int i = 0; i < 1000; i++) {
        if (send(keeper_fd, "warm", 4, 0) != 4)
            return -1;
        if (receive_one(keeper_fd, &rx) == TS_SRC_KERNEL)
            return 0;
        usleep(1000);
    }
    return -1;
}

static int release_rx_stamping(void **state)
{
    close(keeper_fd);
    return 0;
}

static void test_loopback_kernel_rx_and_tx(void **state)
{
    check_loopback_stamps(AF_INET, 0, TS_MODE_KERNEL);
}

static void test_loopback_ipv6_kernel_rx_and_tx(void **state)
{
    check_loopback_stamps(AF_INET6, 0, TS_MODE_KERNEL);
}

static void test_loopback_hardware_flags_keep_kernel_stamps(void **state)
{
    check_loopback_stamps(AF_INET, TS_FLAG_HARDWARE, TS_MODE_HARDWARE);
}

// The documented counter rule: a sendmsg() that fails does not consume an OPT_ID number. A
// connected socket to a closed port gets ECONNREFUSED on every second send (ICMP error).
static void test_failed_send_consumes_no_id(void **state)
{
    int closed = loopback_socket(AF_INET), fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    struct ts_tx tx;
    assert_true(closed >= 0 && fd >= 0);
    assert_int_equal(getsockname(closed, (struct sockaddr *)&addr, &len), 0);
    close(closed); // nothing listens on that port any more
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, len), 0);
    assert_int_equal(ts_enable(fd, 0, NULL), TS_MODE_KERNEL);
    uint32_t expected_id = 0, refused = 0;
    for (int i = 0; i < 4; i++) {
        if (send(fd, "x", 1, 0) < 0) {
            assert_int_equal(errno, ECONNREFUSED);
            refused++;
            continue;
        }
        assert_int_equal(wait_tx(fd, &tx), 1);
        assert_int_equal(tx.id, expected_id++);
        usleep(10000); // let the ICMP error arrive
    }
    assert_true(refused > 0);
    close(fd);
}

static void test_loopback_timestampns_fallback(void **state)
{
    int fd = loopback_socket(AF_INET);
    assert_true(fd >= 0);
    uint32_t sof = 1;
    struct timespec before;
    struct ts_rx rx;
    struct ts_tx tx;
    assert_int_equal(ts_enable(fd, TS_FLAG_FORCE_NS, &sof), TS_MODE_NS);
    assert_int_equal(sof, 0);
    clock_gettime(CLOCK_REALTIME, &before);
    assert_int_equal(send(fd, "ping", 4, 0), 4);
    assert_int_equal(receive_one(fd, &rx), TS_SRC_KERNEL);
    assert_true(ts_diff_s(rx.ts, before) > -0.005 && ts_diff_s(rx.ts, before) < 0.005);
    assert_int_equal(ts_read_tx(fd, &tx), 0); // no TX stamps in this mode
    close(fd);
}

static void test_loopback_user_fallback(void **state)
{
    int fd = loopback_socket(AF_INET);
    assert_true(fd >= 0);
    struct ts_rx rx;
    assert_int_equal(ts_enable(fd, TS_FLAG_FORCE_USER, NULL), TS_MODE_USER);
    assert_int_equal(send(fd, "ping", 4, 0), 4);
    assert_int_equal(receive_one(fd, &rx), TS_SRC_USER);
    close(fd);
}

static void test_enable_on_non_socket_gives_user(void **state)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(ts_enable(fds[0], 0, NULL), TS_MODE_USER);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rx_software_stamp),
        cmocka_unit_test(test_rx_hardware_stamp_with_pktinfo),
        cmocka_unit_test(test_rx_hardware_only_falls_back_to_user),
        cmocka_unit_test(test_rx_timestampns),
        cmocka_unit_test(test_rx_no_control),
        cmocka_unit_test(test_rx_truncated_cmsg_ignored),
        cmocka_unit_test(test_rx_cmsg_beyond_buffer_and_bad_stamps_ignored),
        cmocka_unit_test(test_rx_use_hw_checks_distance),
        cmocka_unit_test(test_tx_kernel_stamp_ipv4),
        cmocka_unit_test(test_tx_hardware_stamp_ipv6),
        cmocka_unit_test(test_tx_rejects_non_timestamps),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_loopback_kernel_rx_and_tx),
        cmocka_unit_test(test_loopback_ipv6_kernel_rx_and_tx),
        cmocka_unit_test(test_loopback_hardware_flags_keep_kernel_stamps),
        cmocka_unit_test(test_failed_send_consumes_no_id),
        cmocka_unit_test(test_loopback_timestampns_fallback),
        cmocka_unit_test(test_loopback_user_fallback),
        cmocka_unit_test(test_enable_on_non_socket_gives_user),
    };
    return cmocka_run_group_tests(tests, keep_rx_stamping_on, release_rx_stamping);
}
