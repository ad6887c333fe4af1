// SPDX-License-Identifier: ISC
/* The resolver's seccomp filter (SBX_RESOLVER): what getaddrinfo() needs works, including a real
 * DNS query to a private responder (as root, in a namespace); listening, accepting, executable
 * memory and writing files are refused. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "seccomp/sandbox.h"
#include "tests/unit/test_sandbox_util.h"

static int resolver_allowed(int out_fd, const void *arg)
{
    if (install(out_fd, SBX_RESOLVER, 0) < 0)
        return 1;
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_DGRAM,
                             .ai_flags = AI_ADDRCONFIG}, /* AI_ADDRCONFIG: netlink */
        *res = NULL;
    int rc = getaddrinfo("localhost", "123", &hints, &res);
    if (rc != 0) {
        dprintf(out_fd, "getaddrinfo: %s", gai_strerror(rc));
        return 2;
    }
    freeaddrinfo(res);
    FILE *f = fopen("/etc/hosts", "r");
    if (!f)
        return 3;
    fclose(f);
    int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (nl < 0)
        return 4;
    close(nl);
    return 0;
}

/* listen and accept are not the resolver's business; executable memory is refused (EPERM:
 * a lazily loaded NSS module fails cleanly) */
static int resolver_forbidden(int out_fd, const void *arg)
{
    if (install(out_fd, SBX_RESOLVER, 0) < 0)
        return 1;
    errno = 0;
    if (mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED ||
        errno != EPERM)
        return 2;
    if (arg != NULL)
        listen(STDIN_FILENO, 1);
    else
        accept4(STDIN_FILENO, NULL, NULL, 0);
    return 100;
}

static void test_resolver_forbidden(void **state)
{
    struct child_result r;
    run_child(resolver_forbidden, NULL, &r);
    assert_killed_by_sigsys(&r);
    run_child(resolver_forbidden, "listen", &r);
    assert_killed_by_sigsys(&r);
}

static void test_resolver_allowed(void **state)
{
    struct child_result r;
    run_child(resolver_allowed, NULL, &r);
    assert_exit_ok(&r);
}

static int resolver_writes(int out_fd, const void *arg)
{
    if (install(out_fd, SBX_RESOLVER, 0) < 0)
        return 1;
    open("/tmp/tsync-sandbox-must-not-exist", O_WRONLY | O_CREAT, 0600);
    return 100;
}

static void test_resolver_cannot_write_files(void **state)
{
    struct child_result r;
    unlink("/tmp/tsync-sandbox-must-not-exist");
    run_child(resolver_writes, NULL, &r);
    assert_killed_by_sigsys(&r);
    assert_int_equal(access("/tmp/tsync-sandbox-must-not-exist", F_OK), -1);
}

/* A real DNS query through the stub resolver, answered by a responder on 127.0.0.1:53 in a
 * private network and mount namespace (root only; no packet leaves the namespace). */

static void dns_answer(int s)
{
    unsigned char q[512], a[600];
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(s, q, sizeof q, 0, (struct sockaddr *)&from, &flen);
    size_t i = 12;
    while (n > 12 && i < (size_t)n && q[i] != 0)
        i += q[i] + 1u;
    if (n <= 12 || i + 5 > (size_t)n)
        return;
    size_t qend = i + 5;
    bool type_a = q[i + 1] == 0 && q[i + 2] == 1;
    memcpy(a, q, qend);
    a[2] = 0x81;           /* response, recursion desired */
    a[3] = 0x80;           /* recursion available, NOERROR */
    a[7] = type_a ? 1 : 0; /* answer count */
    const unsigned char rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7};
    size_t len = qend;
    if (type_a) {
        memcpy(a + len, rr, sizeof rr);
        len += sizeof rr;
    }
    sendto(s, a, len, 0, (struct sockaddr *)&from, flen);
}

static int private_dns(void)
{
    char conf[] = "/tmp/tsync-resolv-XXXXXX";
    int fd = mkstemp(conf);
    struct ifreq ifr = {.ifr_name = "lo", .ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING};
    if (fd < 0 || unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        dprintf(fd, "nameserver 127.0.0.1\noptions attempts:2 timeout:1\n") < 0 ||
        mount(conf, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0)
        return -1;
    close(fd);
    unlink(conf);
    int up = socket(AF_INET, SOCK_DGRAM, 0); /* in the new namespace */
    if (up < 0 || ioctl(up, SIOCSIFFLAGS, &ifr) < 0)
        return -1;
    close(up);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(53), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0)
        return -1;
    return s;
}

static int resolver_dns(int out_fd, const void *arg)
{
    int s = private_dns();
    if (s < 0) {
        dprintf(out_fd, "namespace set-up: %s", strerror(errno));
        return 2;
    }
    pid_t responder = fork();
    if (responder == 0) { /* answers until idle for 3 s or the test child is gone */
        close(out_fd);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        struct pollfd pfd = {.fd = s, .events = POLLIN};
        while (poll(&pfd, 1, 3000) == 1)
            dns_answer(s);
        _exit(0);
    }
    close(s);
    if (responder < 0 || install(out_fd, SBX_RESOLVER, 0) < 0)
        return 3;
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res = NULL;
    int rc = getaddrinfo("pool.tsyncd.test", "123", &hints, &res);
    if (rc != 0) {
        dprintf(out_fd, "getaddrinfo: %s", gai_strerror(rc));
        return 4;
    }
    const struct sockaddr_in *sin = (const struct sockaddr_in *)res->ai_addr;
    dprintf(out_fd, "%08x", (unsigned)ntohl(sin->sin_addr.s_addr));
    freeaddrinfo(res);
    return 0;
}

static void test_resolver_real_dns_query(void **state)
{
    if (geteuid() != 0)
        skip();
    struct child_result r;
    run_child(resolver_dns, NULL, &r);
    assert_exit_ok(&r);
    assert_string_equal(r.out, "c0000207"); /* 192.0.2.7 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolver_allowed),
        cmocka_unit_test(test_resolver_forbidden),
        cmocka_unit_test(test_resolver_cannot_write_files),
        cmocka_unit_test(test_resolver_real_dns_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
