// SPDX-License-Identifier: ISC
/* Message channels (daemon/common/chan.c): in-process queues behave as a SOCK_SEQPACKET
 * socketpair does for the roles (order, sequence, truncation, EAGAIN when full, EOF, EPIPE). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/common/chan.h"
#include "daemon/common/msg.h"

static struct chan a, b;

static int setup(void **state)
{
    (void)state;
    return chan_pair_inprocess(&a, &b);
}

static int teardown(void **state)
{
    (void)state;
    chan_close(&a);
    chan_close(&b);
    return 0;
}

static void send_ref(struct chan *c, uint32_t *seq, uint32_t slot)
{
    struct msg_source_ref m = {.slot = slot};

    assert_int_equal(chan_send(c, MSG_SOURCE_POLLED, seq, &m, sizeof(m)), 0);
}

static uint32_t recv_ref(struct chan *c, uint32_t *seq)
{
    uint8_t buf[MSG_MAX_SIZE];
    struct msg_header hdr;
    const void *payload;
    char err[128];
    ssize_t n = chan_recv(c, buf, sizeof(buf));

    assert_true(n > 0);
    assert_int_equal(msg_validate(buf, (size_t)n, seq, &hdr, &payload, err, sizeof(err)), 0);
    assert_int_equal(hdr.type, MSG_SOURCE_POLLED);
    return ((const struct msg_source_ref *)payload)->slot;
}

static void test_messages_arrive_in_order_both_ways(void **state)
{
    uint32_t tx_ab = 1, rx_ab = 1, tx_ba = 1, rx_ba = 1;
    uint8_t buf[64];

    (void)state;
    assert_false(chan_ready(&b));
    assert_int_equal(chan_poll_fd(&a), -1);
    send_ref(&a, &tx_ab, 3);
    send_ref(&a, &tx_ab, 4);
    send_ref(&b, &tx_ba, 7);
    assert_true(chan_ready(&b));
    assert_int_equal(recv_ref(&b, &rx_ab), 3);
    assert_int_equal(recv_ref(&b, &rx_ab), 4);
    assert_int_equal(recv_ref(&a, &rx_ba), 7);
    assert_false(chan_ready(&a));
    errno = 0;
    assert_int_equal(chan_recv(&b, buf, sizeof(buf)), -1);
    assert_int_equal(errno, EAGAIN);
}

static void test_a_short_buffer_reports_the_whole_length(void **state)
{
    struct msg_source_ref m = {.slot = 1};
    uint32_t seq = 1;
    uint8_t buf[4];

    (void)state;
    assert_int_equal(chan_send(&a, MSG_SOURCE_POLLED, &seq, &m, sizeof(m)), 0);
    assert_int_equal(chan_recv(&b, buf, sizeof(buf)), sizeof(struct msg_header) + sizeof(m));
    assert_false(chan_ready(&b)); /* consumed, like recv(MSG_TRUNC) */
}

static void test_a_full_queue_refuses_like_a_full_socket(void **state)
{
    uint32_t seq = 1;
    struct msg_source_ref m = {0};

    (void)state;
    for (int i = 0; i < CHAN_QUEUE_MAX; i++)
        assert_int_equal(chan_send(&a, MSG_SOURCE_POLLED, &seq, &m, sizeof(m)), 0);
    errno = 0;
    assert_int_equal(chan_send(&a, MSG_SOURCE_POLLED, &seq, &m, sizeof(m)), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(seq, CHAN_QUEUE_MAX + 1); /* a refused message uses no number */
}

static void test_closing_one_end_gives_eof_after_the_queue_and_epipe(void **state)
{
    uint32_t tx = 1, rx = 1, seq = 1;
    uint8_t buf[64];
    struct msg_source_ref m = {0};

    (void)state;
    send_ref(&a, &tx, 9);
    chan_close(&a);
    assert_true(chan_ready(&b));
    assert_int_equal(recv_ref(&b, &rx), 9);
    assert_true(chan_ready(&b)); /* EOF is something to read */
    assert_int_equal(chan_recv(&b, buf, sizeof(buf)), 0);
    assert_false(chan_is_open(&b));
    errno = 0;
    assert_int_equal(chan_send(&b, MSG_SOURCE_POLLED, &seq, &m, sizeof(m)), -1);
    assert_int_equal(errno, EPIPE);
}

static void test_a_socket_channel_uses_the_socket(void **state)
{
    struct chan s0, s1;
    uint32_t tx = 1, rx = 1;
    int sp[2];

    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sp), 0);
    chan_init_socket(&s0, sp[0]);
    chan_init_socket(&s1, sp[1]);
    assert_int_equal(chan_poll_fd(&s0), sp[0]);
    assert_false(chan_ready(&s1)); /* a socket is polled, never "ready" by itself */
    send_ref(&s0, &tx, 5);
    assert_int_equal(recv_ref(&s1, &rx), 5);
    chan_close(&s0);
    chan_close(&s1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_messages_arrive_in_order_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_short_buffer_reports_the_whole_length, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_full_queue_refuses_like_a_full_socket, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_closing_one_end_gives_eof_after_the_queue_and_epipe,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_socket_channel_uses_the_socket, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
