// SPDX-License-Identifier: ISC
/* The resolver process through a socketpair, and its non-blocking client. The machine may have
 * no DNS: only /etc/hosts names and literals are expected to resolve. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/resolver/resolver.h"

struct fixture {
    pid_t pid; /* resolver process, -1 when none */
    int peer;  /* the resolver's end when no process serves it, else -1 */
    struct resolver_client *rc;
};

/* A client connected to a forked resolver_main(). */
static struct resolver_client *client_over(int fd)
{
    struct chan ch;

    chan_init_socket(&ch, fd);
    return resolver_client_create(&ch);
}

static int start_resolver(void **state)
{
    static struct fixture f;
    int sv[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    f.pid = fork();
    assert_true(f.pid >= 0);
    if (f.pid == 0) {
        close(sv[0]);
        _exit(resolver_main(sv[1]));
    }
    close(sv[1]);
    f.peer = -1;
    f.rc = client_over(sv[0]);
    assert_non_null(f.rc);
    *state = &f;
    return 0;
}

/* A client whose other end the test drives by hand. */
static int start_fake(void **state)
{
    static struct fixture f;
    int sv[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    f.pid = -1;
    f.peer = sv[1];
    f.rc = client_over(sv[0]);
    assert_non_null(f.rc);
    *state = &f;
    return 0;
}

/* Exit status of the resolver after the client closed its end (-1: killed by a signal). */
static int stop(struct fixture *f)
{
    int status = 0;

    resolver_client_destroy(f->rc);
    f->rc = NULL;
    if (f->peer >= 0)
        close(f->peer);
    if (f->pid > 0) {
        assert_int_equal(waitpid(f->pid, &status, 0), f->pid);
        f->pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    if (f->rc != NULL)
        stop(f);
    return 0;
}

/* Wait up to 30 s for the next answer. */
static void wait_answer(struct resolver_client *rc, struct msg_resolved *out)
{
    int i, r;

    for (i = 0; i < 300; i++) {
        struct pollfd pfd = {.fd = resolver_client_fd(rc), .events = POLLIN};

        poll(&pfd, 1, 100);
        r = resolver_client_read(rc, out);
        if (r == 1)
            return;
        assert_int_equal(r, 0);
    }
    fail_msg("no answer from the resolver");
}

static bool has_address(const struct msg_resolved *r, int family, const char *text)
{
    uint8_t want[16] = {0};
    uint32_t i;

    assert_int_equal(inet_pton(family, text, want), 1);
    for (i = 0; i < r->count; i++) {
        if ((int)r->addrs[i].family == family &&
            memcmp(r->addrs[i].addr, want, family == AF_INET ? 4 : 16) == 0)
            return true;
    }
    return false;
}

static void test_resolves_localhost_and_literals(void **state)
{
    struct fixture *f = *state;
    uint32_t id_local, id_v4, id_v6;
    struct msg_resolved r;

    assert_int_equal(resolver_client_request(f->rc, "localhost", 0, &id_local), 0);
    assert_int_equal(resolver_client_request(f->rc, "127.0.0.1", 4, &id_v4), 0);
    assert_int_equal(resolver_client_request(f->rc, "::1", 6, &id_v6), 0);
    assert_int_equal(resolver_client_pending(f->rc), 3); /* one in flight, two queued */
    wait_answer(f->rc, &r);
    assert_int_equal(r.id, id_local);
    assert_int_equal(r.error, 0);
    assert_true(has_address(&r, AF_INET, "127.0.0.1"));
    wait_answer(f->rc, &r);
    assert_int_equal(r.id, id_v4);
    assert_int_equal(r.error, 0);
    assert_int_equal(r.count, 1);
    assert_true(has_address(&r, AF_INET, "127.0.0.1"));
    wait_answer(f->rc, &r);
    assert_int_equal(r.id, id_v6);
    assert_int_equal(r.error, 0);
    assert_int_equal(r.count, 1);
    assert_true(has_address(&r, AF_INET6, "::1"));
    assert_int_equal(resolver_client_pending(f->rc), 0);
    assert_int_equal(resolver_client_read(f->rc, &r), 0);
    assert_int_equal(stop(f), 0); /* EOF: clean exit */
}

static void test_family_filter_and_unresolvable(void **state)
{
    struct fixture *f = *state;
    struct msg_resolved r;
    uint32_t id;

    /* An IPv4 literal asked for as IPv6: an error, no address. */
    assert_int_equal(resolver_client_request(f->rc, "127.0.0.1", 6, &id), 0);
    wait_answer(f->rc, &r);
    assert_int_equal(r.id, id);
    assert_int_not_equal(r.error, 0);
    assert_int_equal(r.count, 0);
    assert_int_equal(resolver_client_request(f->rc, "name.invalid", 0, &id), 0);
    wait_answer(f->rc, &r);
    assert_int_equal(r.id, id);
    assert_int_not_equal(r.error, 0);
    assert_non_null(gai_strerror(r.error));
    assert_int_equal(r.count, 0);
    assert_int_equal(stop(f), 0);
}

static void test_malformed_request_kills_resolver(void **state)
{
    struct fixture *f = *state;
    struct msg_resolve bad = {.id = 1, .family = 4};
    uint32_t seq = 1;

    /* A name with a space is outside the schema's host name alphabet. */
    memcpy(bad.name, "bad name", 9);
    assert_int_equal(msg_send(resolver_client_fd(f->rc), MSG_RESOLVE, &seq, &bad, sizeof(bad)), 0);
    assert_int_equal(stop(f), 1);
}

static void test_garbage_kills_resolver(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(send(resolver_client_fd(f->rc), "xyz", 3, 0), 3);
    assert_int_equal(stop(f), 1);
}

static void test_client_refuses_bad_requests(void **state)
{
    struct fixture *f = *state;
    char longname[MSG_HOST_LEN + 1];
    uint32_t id;
    int i;

    assert_int_equal(resolver_client_request(f->rc, "bad name", 0, &id), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(resolver_client_request(f->rc, "", 0, &id), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(resolver_client_request(f->rc, "ntp.example", 5, &id), -1);
    assert_int_equal(errno, EINVAL);
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(resolver_client_request(f->rc, longname, 0, &id), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(resolver_client_pending(f->rc), 0);
    /* One in flight plus a full queue: the next is refused, nothing is dropped. */
    for (i = 0; i < RESOLVER_QUEUE_MAX + 1; i++)
        assert_int_equal(resolver_client_request(f->rc, "ntp.example", 0, &id), 0);
    assert_int_equal(resolver_client_request(f->rc, "ntp.example", 0, &id), -1);
    assert_int_equal(errno, ENOBUFS);
    assert_int_equal(resolver_client_pending(f->rc), RESOLVER_QUEUE_MAX + 1);
}

/* Answer the request in flight on the fake resolver's end with the given id. */
static void fake_answer(struct fixture *f, uint32_t *tx_seq, uint32_t id)
{
    struct msg_resolved ans = {.id = id, .count = 1};

    ans.addrs[0].family = AF_INET;
    ans.addrs[0].addr[0] = 192;
    assert_int_equal(msg_send(f->peer, MSG_RESOLVED, tx_seq, &ans, sizeof(ans)), 0);
}

static void test_client_sends_queued_after_answer(void **state)
{
    struct fixture *f = *state;
    uint8_t buf[1024];
    struct msg_resolved r;
    uint32_t id1, id2, tx = 1;

    assert_int_equal(resolver_client_request(f->rc, "a.example", 4, &id1), 0);
    assert_int_equal(resolver_client_request(f->rc, "b.example", 6, &id2), 0);
    assert_int_not_equal(id1, id2);
    assert_true(recv(f->peer, buf, sizeof(buf), MSG_DONTWAIT) > 0);
    assert_int_equal(recv(f->peer, buf, sizeof(buf), MSG_DONTWAIT), -1); /* b is queued */
    fake_answer(f, &tx, id1);
    assert_int_equal(resolver_client_read(f->rc, &r), 1);
    assert_int_equal(r.id, id1);
    assert_int_equal(r.addrs[0].addr[0], 192);
    assert_true(recv(f->peer, buf, sizeof(buf), MSG_DONTWAIT) > 0); /* now b was sent */
    assert_int_equal(resolver_client_pending(f->rc), 1);
}

static void test_client_rejects_unexpected_answers(void **state)
{
    struct fixture *f = *state;
    struct msg_resolved r;
    uint32_t id, tx = 1;

    assert_int_equal(resolver_client_request(f->rc, "a.example", 0, &id), 0);
    fake_answer(f, &tx, id + 1); /* not the request in flight */
    assert_int_equal(resolver_client_read(f->rc, &r), -1);
    assert_int_equal(resolver_client_read(f->rc, &r), -1);
    assert_int_equal(resolver_client_request(f->rc, "a.example", 0, &id), -1);
    assert_int_equal(errno, EPIPE);
}

static void test_client_sees_resolver_gone(void **state)
{
    struct fixture *f = *state;
    struct msg_resolved r;

    assert_int_equal(resolver_client_read(f->rc, &r), 0);
    close(f->peer);
    f->peer = -1;
    assert_int_equal(resolver_client_read(f->rc, &r), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resolves_localhost_and_literals, start_resolver,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_family_filter_and_unresolvable, start_resolver,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_malformed_request_kills_resolver, start_resolver,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_garbage_kills_resolver, start_resolver, teardown),
        cmocka_unit_test_setup_teardown(test_client_refuses_bad_requests, start_fake, teardown),
        cmocka_unit_test_setup_teardown(test_client_sends_queued_after_answer, start_fake,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_client_rejects_unexpected_answers, start_fake,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_client_sees_resolver_gone, start_fake, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
