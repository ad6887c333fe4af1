// SPDX-License-Identifier: ISC
/* The control socket over real Unix sockets in a temporary directory. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/control/control.h"
#include "discipline/discipline.h"

#define REPLY_SIZE (sizeof(struct msg_header) + sizeof(struct msg_snapshot))

static char dir[64];
static char path[100];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/tsyncd-test-control.XXXXXX");
    assert_non_null(mkdtemp(dir));
    /* The socket's directory does not exist yet: control_listen() creates it. */
    snprintf(path, sizeof(path), "%s/run/ctl.sock", dir);
    return 0;
}

static int teardown(void **state)
{
    char sub[96];

    (void)state;
    unlink(path);
    snprintf(sub, sizeof(sub), "%s/run", dir);
    rmdir(sub);
    rmdir(dir);
    return 0;
}

static struct control *start_server(void)
{
    char err[256] = "";
    int fd = control_listen(path, err, sizeof(err));
    struct control *ctl;

    if (fd < 0)
        fail_msg("control_listen: %s", err);
    ctl = control_create(fd);
    assert_non_null(ctl);
    return ctl;
}

static int connect_client(void)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    return fd;
}

/* A few rounds of poll (no wait) + control_handle at time now_s. */
static void pump(struct control *ctl, const struct msg_snapshot *snap, double now_s)
{
    int round;

    for (round = 0; round < 3; round++) {
        struct pollfd fds[CONTROL_POLLFDS];
        int n = control_pollfds(ctl, fds, CONTROL_POLLFDS);

        assert_true(poll(fds, (nfds_t)n, 0) >= 0);
        control_handle(ctl, fds, n, snap, now_s);
    }
}

static void send_request(int fd, uint32_t *seq)
{
    struct msg_source_ref req = {0};

    assert_int_equal(msg_send(fd, MSG_CTL_REQUEST, seq, &req, sizeof(req)), 0);
}

/* Receive the answer without waiting: 1 with *snap (validated), 0 at EOF, -1 nothing yet. */
static int receive_snapshot(int fd, uint32_t *seq, struct msg_snapshot *snap)
{
    static uint8_t buf[REPLY_SIZE + 1];
    struct msg_header hdr;
    const void *payload;
    char err[256];
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

    if (n == 0 || (n < 0 && errno == ECONNRESET))
        return 0;
    if (n < 0)
        return -1;
    if (msg_validate(buf, (size_t)n, seq, &hdr, &payload, err, sizeof(err)) < 0)
        fail_msg("invalid answer: %s", err);
    assert_int_equal(hdr.type, MSG_SNAPSHOT);
    memcpy(snap, payload, sizeof(*snap));
    return 1;
}

static void test_listen_creates_socket_0666(void **state)
{
    struct control *ctl;
    struct stat st;

    char sub[96];
    mode_t old_umask = umask(077);

    (void)state;
    ctl = start_server();
    umask(old_umask);
    snprintf(sub, sizeof(sub), "%s/run", dir);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0666);
    control_destroy(ctl);
}

static void test_listen_replaces_stale_refuses_live_and_files(void **state)
{
    char err[256] = "";
    struct control *ctl;
    int fd;

    (void)state;
    ctl = start_server();
    /* A daemon is listening: a second one must not steal the socket. */
    assert_int_equal(control_listen(path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "another daemon"));
    control_destroy(ctl); /* the socket file stays behind, as after a crash */
    fd = control_listen(path, err, sizeof(err));
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    fclose(fopen(path, "w"));
    assert_int_equal(control_listen(path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a socket"));
}

static void test_request_gets_snapshot(void **state)
{
    struct msg_snapshot snap = {0}, got;
    uint32_t tx = 1, rx = 1;
    struct control *ctl;
    int fd;

    (void)state;
    ctl = start_server();
    fd = connect_client();
    send_request(fd, &tx);
    pump(ctl, NULL, 0);
    assert_int_equal(receive_snapshot(fd, &rx, &got), 1);
    assert_string_equal(got.reason, "daemon starting");
    assert_int_equal(got.stratum, 16);
    assert_int_equal(got.sys_peer_slot, -1);

    /* Same connection, next request (seq 2): the snapshot the caller passes. */
    snap.generation = 42;
    snap.sync_state = MSG_SYNC_SYNCHRONISED;
    snap.stratum = 3;
    snap.nsources = 2; /* entries as the parent fills them (msg.c checks each field) */
    for (int i = 0; i < 2; i++) {
        snap.sources[i].slot = (uint32_t)i;
        snap.sources[i].in_use = 1;
        snap.sources[i].tally = ' ';
        snap.sources[i].assoc_id = (uint16_t)(i + 1);
    }
    msg_copy_str(snap.sources[1].name, sizeof(snap.sources[1].name), "ntp.example");
    send_request(fd, &tx);
    pump(ctl, &snap, 1);
    assert_int_equal(receive_snapshot(fd, &rx, &got), 1);
    assert_int_equal(got.generation, 42);
    assert_int_equal(got.stratum, 3);
    assert_string_equal(got.sources[1].name, "ntp.example");
    assert_int_equal(receive_snapshot(fd, &rx, &got), -1); /* one answer per request */
    assert_int_equal(control_nclients(ctl), 1);
    close(fd);
    pump(ctl, NULL, 2);
    assert_int_equal(control_nclients(ctl), 0);
    control_destroy(ctl);
}

/* Each kind of malformed input closes the connection without an answer. */
static void expect_closed_after(struct control *ctl, const void *data, size_t len)
{
    struct msg_snapshot got;
    uint32_t rx = 1;
    int fd = connect_client();

    assert_int_equal(send(fd, data, len, 0), (ssize_t)len);
    pump(ctl, NULL, 0);
    assert_int_equal(receive_snapshot(fd, &rx, &got), 0);
    assert_int_equal(control_nclients(ctl), 0);
    close(fd);
}

static void test_malformed_requests_close(void **state)
{
    struct {
        struct msg_header hdr;
        struct msg_source_ref ref;
    } m;
    uint8_t big[4096] = {0};
    struct control *ctl;

    (void)state;
    ctl = start_server();
    expect_closed_after(ctl, "garbage", 7);
    m = (typeof(m)){{MSG_VERSION, MSG_CTL_REQUEST, sizeof(m), 2, 0}, {0, 0}};
    expect_closed_after(ctl, &m, sizeof(m)); /* sequence must start at 1 */
    m = (typeof(m)){{MSG_VERSION, MSG_SOURCE_REMOVE, sizeof(m), 1, 0}, {0, 0}};
    expect_closed_after(ctl, &m, sizeof(m)); /* valid message, wrong type */
    m = (typeof(m)){{MSG_VERSION, MSG_CTL_REQUEST, sizeof(m), 1, 0}, {MSG_MAX_SOURCES, 0}};
    expect_closed_after(ctl, &m, sizeof(m)); /* field out of range */
    memcpy(big, &m, sizeof(m));
    expect_closed_after(ctl, big, sizeof(big)); /* longer than a request */
    control_destroy(ctl);
}

static void test_clients_bounded_oldest_dropped(void **state)
{
    struct msg_snapshot got;
    int fds[CONTROL_MAX_CLIENTS + 2];
    struct control *ctl;
    int i;

    (void)state;
    ctl = start_server();
    for (i = 0; i < CONTROL_MAX_CLIENTS + 2; i++) {
        fds[i] = connect_client();
        pump(ctl, NULL, 0);
    }
    assert_int_equal(control_nclients(ctl), CONTROL_MAX_CLIENTS);
    for (i = 0; i < CONTROL_MAX_CLIENTS + 2; i++) {
        uint32_t tx = 1, rx = 1;

        /* The two oldest were closed by the server; the others are served. */
        if (i < 2) {
            assert_int_equal(receive_snapshot(fds[i], &rx, &got), 0);
        } else {
            send_request(fds[i], &tx);
            pump(ctl, NULL, 0);
            assert_int_equal(receive_snapshot(fds[i], &rx, &got), 1);
        }
        close(fds[i]);
    }
    control_destroy(ctl);
}

static void test_idle_timeout(void **state)
{
    struct msg_snapshot got;
    uint32_t tx = 1, rx = 1;
    struct control *ctl;
    int fd;

    (void)state;
    ctl = start_server();
    assert_int_equal(control_timeout_ms(ctl, 100.0), -1);
    fd = connect_client();
    pump(ctl, NULL, 100.0);
    assert_int_equal(control_nclients(ctl), 1);
    assert_in_range(control_timeout_ms(ctl, 100.0), 5000, 5001);
    send_request(fd, &tx); /* activity at 103 s moves the deadline to 108 s */
    pump(ctl, NULL, 103.0);
    assert_int_equal(receive_snapshot(fd, &rx, &got), 1);
    assert_in_range(control_timeout_ms(ctl, 107.0), 1000, 1001);
    pump(ctl, NULL, 107.9);
    assert_int_equal(control_nclients(ctl), 1);
    pump(ctl, NULL, 108.0);
    assert_int_equal(control_nclients(ctl), 0);
    assert_int_equal(receive_snapshot(fd, &rx, &got), 0);
    close(fd);
    control_destroy(ctl);
}

/* control_query() against a server running in a child process for at most 5 s. */
static void test_query_end_to_end(void **state)
{
    struct msg_snapshot snap = {0}, got;
    struct control *ctl;
    char err[256] = "";
    int status;
    pid_t pid;

    (void)state;
    ctl = start_server();
    snap.generation = 7;
    snap.sync_state = MSG_SYNC_LOCAL;
    msg_copy_str(snap.reason, sizeof(snap.reason), "no source reachable for 70 s");
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int i;

        for (i = 0; i < 500; i++) {
            struct pollfd fds[CONTROL_POLLFDS];
            int n = control_pollfds(ctl, fds, CONTROL_POLLFDS);

            poll(fds, (nfds_t)n, 10);
            control_handle(ctl, fds, n, &snap, i * 0.01);
        }
        _exit(0);
    }
    assert_int_equal(control_query(path, 2000, &got, err, sizeof(err)), 0);
    assert_int_equal(got.generation, 7);
    assert_int_equal(got.sync_state, MSG_SYNC_LOCAL);
    assert_string_equal(got.reason, "no source reachable for 70 s");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    control_destroy(ctl);
}

static void test_query_errors(void **state)
{
    struct msg_snapshot got;
    struct control *ctl;
    struct timespec t0, t1;
    char err[256] = "";
    double waited_s;

    (void)state;
    assert_int_equal(control_query(path, 500, &got, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "No such file"));
    /* Listening but never answering (a hung daemon): the timeout applies. */
    ctl = start_server();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(control_query(path, 200, &got, err, sizeof(err)), -1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    waited_s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    assert_true(waited_s >= 0.19 && waited_s < 1.5);
    assert_non_null(strstr(err, "timeout"));
    control_destroy(ctl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_listen_creates_socket_0666, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen_replaces_stale_refuses_live_and_files, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_request_gets_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_requests_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clients_bounded_oldest_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_end_to_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_errors, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
