// SPDX-License-Identifier: ISC
/*
 * Unit tests: privilege dropping (uid/gid, groups, capabilities, chroot, no_new_privs), checked
 * from the child's own /proc/self/status. Each drop happens in a forked child; the tests need
 * root and are skipped otherwise. CAP_SYS_TIME is kept and inspected, never used.
 */
#include "config.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "seccomp/sandbox.h"
#include "tests/unit/test_sandbox_util.h"
/* ---- privilege dropping (root only) ---- */

#define CAP_BIT(c) (1ULL << (c))

struct drop_case {
    const char *chroot_dir; /* NULL: no chroot */
    int keep[2];
    size_t n_keep;
    int later_drop; /* >= 0: sbx_drop_caps() this one afterwards */
    bool install_net;
    bool keep_root; /* user NULL: keep uid 0, drop capabilities only */
    bool redrop;    /* then drop again to the same ids, keeping nothing */
};

/* Child: drop, then report /proc/self/status (opened before the chroot) and checks. */
static int drop_child(int out_fd, const void *arg)
{
    const struct drop_case *c = arg;
    int status_fd = open("/proc/self/status", O_RDONLY);
    char err[256];
    if (status_fd < 0)
        return 2;
    const char *user = c->keep_root ? NULL : "nobody";
    if (sbx_drop_privileges(user, NULL, c->chroot_dir, c->keep, c->n_keep, err, sizeof err) < 0) {
        dprintf(out_fd, "drop: %s\n", err);
        return 3;
    }
    if (c->redrop && sbx_drop_privileges_ids(65534, 65534, NULL, NULL, 0, err, sizeof err) < 0) {
        dprintf(out_fd, "second drop: %s\n", err);
        return 7;
    }
    if (c->later_drop >= 0 && sbx_drop_caps(&c->later_drop, 1, err, sizeof err) < 0) {
        dprintf(out_fd, "drop_caps: %s\n", err);
        return 4;
    }
    char extra[256], cwd[64];
    struct stat st;
    snprintf(extra, sizeof extra, "Chrooted:\t%d\nCwd:\t%s\nDumpable:\t%d\nSetuidRoot:\t%d\n",
             c->chroot_dir && stat("/etc/passwd", &st) < 0, getcwd(cwd, sizeof cwd) ? cwd : "?",
             prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), setuid(0) == 0);
    /* After the NET filter only lseek/read/write: the status shows "Seccomp: 2". */
    if (c->install_net && install(out_fd, SBX_NET, 0) < 0)
        return 5;
    char buf[4096];
    ssize_t n = lseek(status_fd, 0, SEEK_SET) == 0 ? read(status_fd, buf, sizeof buf - 1) : -1;
    if (n <= 0)
        return 6;
    buf[n] = '\0';
    dprintf(out_fd, "%s%s", buf, extra);
    return 0;
}

/* The value after "key:\t" in the child's report. */
static const char *field(const char *out, const char *key)
{
    static char value[128];
    char pat[64];
    snprintf(pat, sizeof pat, "\n%s:", key);
    const char *p = strstr(out, pat);
    if (!p)
        fail_msg("no %s in: %s", key, out);
    p += strlen(pat);
    p += strspn(p, " \t");
    size_t len = strcspn(p, "\n");
    snprintf(value, sizeof value, "%.*s", (int)len, p);
    return value;
}

static unsigned long long hex_field(const char *out, const char *key)
{
    return strtoull(field(out, key), NULL, 16);
}

static void run_drop(const struct drop_case *c, struct child_result *r)
{
    if (geteuid() != 0)
        skip();
    run_child(drop_child, c, r);
    assert_exit_ok(r);
    const char *ids = c->keep_root ? "0\t0\t0\t0" : "65534\t65534\t65534\t65534";
    assert_string_equal(field(r->out, "Uid"), ids);
    assert_string_equal(field(r->out, "Gid"), ids);
    if (!c->keep_root) {
        assert_string_equal(field(r->out, "Groups"), "");
        assert_string_equal(field(r->out, "SetuidRoot"), "0");
    }
    assert_string_equal(field(r->out, "NoNewPrivs"), "1");
    assert_string_equal(field(r->out, "Dumpable"), "0");
    assert_int_equal(hex_field(r->out, "CapInh"), 0);
    assert_int_equal(hex_field(r->out, "CapBnd"), 0);
    assert_int_equal(hex_field(r->out, "CapAmb"), 0);
}

static char chroot_dir[64];

static int make_chroot(void **state)
{
    snprintf(chroot_dir, sizeof chroot_dir, "/tmp/tsync-chroot-XXXXXX");
    return mkdtemp(chroot_dir) ? 0 : -1;
}

static int remove_chroot(void **state)
{
    rmdir(chroot_dir);
    return 0;
}

static void test_drop_parent_keeps_sys_time(void **state)
{
    struct drop_case c = {
        .chroot_dir = chroot_dir, .keep = {CAP_SYS_TIME}, .n_keep = 1, .later_drop = -1};
    struct child_result r;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), CAP_BIT(CAP_SYS_TIME));
    assert_int_equal(hex_field(r.out, "CapPrm"), CAP_BIT(CAP_SYS_TIME));
    assert_string_equal(field(r.out, "Chrooted"), "1");
    assert_string_equal(field(r.out, "Cwd"), "/");
    assert_string_equal(field(r.out, "Seccomp"), "0");
}

static void test_drop_net_child_keeps_nothing(void **state)
{
    struct drop_case c = {.chroot_dir = chroot_dir, .later_drop = -1, .install_net = true};
    struct child_result r;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), 0);
    assert_int_equal(hex_field(r.out, "CapPrm"), 0);
    assert_string_equal(field(r.out, "Seccomp"), "2");
    assert_string_equal(field(r.out, "Chrooted"), "1");
}

static void test_drop_net_admin_later(void **state)
{
    struct drop_case c = {.keep = {CAP_SYS_TIME, CAP_NET_ADMIN}, .n_keep = 2, .later_drop = -1};
    struct child_result r;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), CAP_BIT(CAP_SYS_TIME) | CAP_BIT(CAP_NET_ADMIN));
    assert_string_equal(field(r.out, "Chrooted"), "0");
    c.later_drop = CAP_NET_ADMIN;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), CAP_BIT(CAP_SYS_TIME));
    assert_int_equal(hex_field(r.out, "CapPrm"), CAP_BIT(CAP_SYS_TIME));
}

static void test_drop_caps_keeping_root(void **state)
{
    struct drop_case c = {.keep = {CAP_SYS_TIME}, .n_keep = 1, .later_drop = -1, .keep_root = true};
    struct child_result r;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), CAP_BIT(CAP_SYS_TIME));
    assert_int_equal(hex_field(r.out, "CapPrm"), CAP_BIT(CAP_SYS_TIME));
}

/* A child forked by an already dropped parent drops again: same ids, fewer capabilities. */
static void test_drop_again_as_child_of_dropped_parent(void **state)
{
    struct drop_case c = {.chroot_dir = chroot_dir,
                          .keep = {CAP_SYS_TIME},
                          .n_keep = 1,
                          .later_drop = -1,
                          .redrop = true,
                          .install_net = true};
    struct child_result r;
    run_drop(&c, &r);
    assert_int_equal(hex_field(r.out, "CapEff"), 0);
    assert_int_equal(hex_field(r.out, "CapPrm"), 0);
    assert_string_equal(field(r.out, "Seccomp"), "2");
}

/* A network child restarted by a sandboxed parent sets itself up under the parent's filter, as
 * the daemon does it: the parent is already unprivileged and chrooted; the child drops its
 * capabilities, opens its client socket and installs its own filter. */
static int restart_under_parent(int out_fd, const void *arg)
{
    const char *dir = arg;
    char err[256];
    if (sbx_drop_privileges_ids(65534, 65534, dir, NULL, 0, err, sizeof err) < 0) {
        dprintf(out_fd, "parent: %s\n", err);
        return 8;
    }
    if (install(out_fd, SBX_PARENT, 0) < 0)
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
            sbx_drop_privileges(NULL, NULL, NULL, NULL, 0, err, sizeof err) < 0) {
            dprintf(out_fd, "child: %s\n", err);
            _exit(3);
        }
        int s = udp_loopback_socket();
        struct sbx_params p = {.connect_fds = &s, .n_connect_fds = 1};
        if (s < 0 || install_with(out_fd, SBX_NET, &p) < 0)
            _exit(4);
        _exit(udp_round_trip_on(s) == 0 && getuid() == 65534 ? 0 : 5);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return 6;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        dprintf(out_fd, "child status %#x\n", status);
        return 7;
    }
    return 0;
}

static void test_child_setup_under_parent_filter(void **state)
{
    if (geteuid() != 0)
        skip();
    struct child_result r;
    run_child(restart_under_parent, chroot_dir, &r);
    assert_exit_ok(&r);
}

static void test_prepare_chroot_checks(void **state)
{
    if (geteuid() != 0)
        skip(); /* the directory must be root-owned */
    char err[256], path[128];
    snprintf(path, sizeof path, "%s/a/b", chroot_dir);
    assert_int_equal(sbx_prepare_chroot(path, err, sizeof err), 0); /* created */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);
    assert_int_equal(sbx_prepare_chroot("relative/dir", err, sizeof err), -1);
    assert_int_equal(chmod(path, 0777), 0);
    assert_int_equal(sbx_prepare_chroot(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "writable"));
    assert_int_equal(chmod(path, 0755), 0);
    char file[160];
    snprintf(file, sizeof file, "%s/x", path);
    close(open(file, O_WRONLY | O_CREAT, 0600));
    assert_int_equal(sbx_prepare_chroot(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "not empty"));
    assert_int_equal(sbx_prepare_chroot(file, err, sizeof err), -1); /* not a directory */
    char link[160];
    snprintf(link, sizeof link, "%s/a/link", chroot_dir);
    assert_int_equal(symlink("b", link), 0);
    assert_int_equal(sbx_prepare_chroot(link, err, sizeof err), -1);
    assert_int_equal(chown(path, 65534, 65534), 0);
    unlink(file);
    assert_int_equal(sbx_prepare_chroot(path, err, sizeof err), -1);
    assert_non_null(strstr(err, "owned by root"));
    unlink(link);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a", chroot_dir);
    rmdir(path);
}

static void test_lookup_user(void **state)
{
    uid_t uid;
    gid_t gid;
    char err[256];
    assert_int_equal(sbx_lookup_user("nobody", NULL, &uid, &gid, err, sizeof err), 0);
    assert_int_equal(uid, 65534);
    assert_int_equal(gid, 65534);
    assert_int_equal(sbx_lookup_user("nobody", "root", &uid, &gid, err, sizeof err), 0);
    assert_int_equal(gid, 0);
    assert_int_equal(sbx_lookup_user("65534", "123", &uid, &gid, err, sizeof err), 0);
    assert_int_equal(uid, 65534);
    assert_int_equal(gid, 123);
    assert_int_equal(sbx_lookup_user("root", NULL, &uid, &gid, err, sizeof err), -1);
    assert_non_null(strstr(err, "root"));
    assert_int_equal(sbx_lookup_user("no-such-user-tsync", NULL, &uid, &gid, err, sizeof err), -1);
    assert_int_equal(sbx_lookup_user("nobody", "no-such-group-tsync", &uid, &gid, err, sizeof err),
                     -1);
    assert_int_equal(sbx_lookup_user("4000000", NULL, &uid, &gid, err, sizeof err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_drop_parent_keeps_sys_time, make_chroot,
                                        remove_chroot),
        cmocka_unit_test_setup_teardown(test_drop_net_child_keeps_nothing, make_chroot,
                                        remove_chroot),
        cmocka_unit_test(test_drop_net_admin_later),
        cmocka_unit_test(test_drop_caps_keeping_root),
        cmocka_unit_test_setup_teardown(test_drop_again_as_child_of_dropped_parent, make_chroot,
                                        remove_chroot),
        cmocka_unit_test_setup_teardown(test_child_setup_under_parent_filter, make_chroot,
                                        remove_chroot),
        cmocka_unit_test_setup_teardown(test_prepare_chroot_checks, make_chroot, remove_chroot),
        cmocka_unit_test(test_lookup_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
