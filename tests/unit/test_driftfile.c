// SPDX-License-Identifier: ISC
/* Unit tests: drift file parsing, atomic writes, write policy. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "discipline/driftfile.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/tsync-drift-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/ntp.drift", dir);
    return 0;
}

static int teardown(void **state)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[sizeof dir + sizeof e->d_name + 2];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
    return 0;
}

static void put(const char *content, size_t len)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    fclose(f);
}

static void slurp(char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static int count_entries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void test_round_trip(void **state)
{
    const double values[] = {-12.345, 0.0, 499.999999, -500.0, 3.14159265, -0.000001};
    char err[256];
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        assert_int_equal(drift_write(path, values[i], err, sizeof err), 0);
        double ppm = NAN;
        assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_OK);
        assert_true(fabs(ppm - values[i]) <= 0.5e-6);
    }
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(count_entries(), 1); /* no temporary file left */
}

static void test_ntpd_format_accepted(void **state)
{
    const char *texts[] = {"-12.345\n", "  7.5  \n", "42", "-0.001\r\n", "1e2\n"};
    const double want[] = {-12.345, 7.5, 42.0, -0.001, 100.0};
    char err[256];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        put(texts[i], strlen(texts[i]));
        double ppm = NAN;
        assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_OK);
        assert_true(ppm == want[i]);
    }
}

static void test_corrupt_files_ignored(void **state)
{
    const char *texts[] = {
        "",      "\n",        "abc\n",   "-12.345 junk\n", "12.3\n4.5\n", "nan\n",
        "inf\n", "-INFINITY", "0x1p3\n", "1e999\n",        "--1\n",       "1.2.3\n",
        "+\n",   ".\n",       "12,5\n",
    };
    char err[256];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        put(texts[i], strlen(texts[i]));
        double ppm = 77.0;
        err[0] = '\0';
        assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
        assert_true(ppm == 77.0); /* untouched */
        assert_non_null(strstr(err, "ignored"));
    }
    put("1.5\0002", 5); /* embedded NUL */
    double ppm = 77.0;
    assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
    char big[300];
    memset(big, '1', sizeof big);
    put(big, sizeof big); /* too long */
    assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
    assert_true(ppm == 77.0);
}

static void test_out_of_range(void **state)
{
    char err[256];
    put("500.001\n", 8);
    double ppm = 1.0;
    assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
    assert_non_null(strstr(err, "500"));
    put("-318017.726\n", 12); /* the field report's value */
    assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
    assert_true(ppm == 1.0);
    assert_int_equal(drift_write(path, 600.0, err, sizeof err), -1);
    assert_int_equal(drift_write(path, NAN, err, sizeof err), -1);
    char buf[64];
    slurp(buf, sizeof buf);
    assert_string_equal(buf, "-318017.726\n"); /* refused writes changed nothing */
}

static void test_missing(void **state)
{
    char err[256];
    double ppm = 3.0;
    assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_MISSING);
    assert_non_null(strstr(err, "no drift file"));
    assert_true(ppm == 3.0);
}

static void test_unreadable_is_error(void **state)
{
    char err[256], p[200];
    put("1.0\n", 4);
    snprintf(p, sizeof p, "%s/sub.drift", path); /* a regular file where a directory should be */
    double ppm = 3.0;
    assert_int_equal(drift_read(p, &ppm, err, sizeof err), DRIFT_ERROR);
    assert_true(ppm == 3.0);
}

static void test_write_into_missing_directory(void **state)
{
    char err[256], p[200];
    snprintf(p, sizeof p, "%s/nonexistent/ntp.drift", dir);
    assert_int_equal(drift_write(p, 1.0, err, sizeof err), -1);
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(count_entries(), 0);
}

/* Through a directory descriptor, with the process elsewhere (the chrooted parent's case). */
static void test_write_at_dirfd(void **state)
{
    char err[256], buf[64];
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(dirfd >= 0);
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir("/"), 0);
    assert_int_equal(drift_write_at(dirfd, "ntp.drift", -7.25, err, sizeof err), 0);
    assert_int_equal(drift_write_at(dirfd, "ntp.drift", 8.5, err, sizeof err), 0);
    assert_int_equal(drift_write_at(dirfd, "../escape.drift", 1.0, err, sizeof err), -1);
    assert_int_equal(chdir(cwd), 0);
    close(dirfd);
    slurp(buf, sizeof buf);
    assert_string_equal(buf, "8.500000\n");
    assert_int_equal(count_entries(), 1);
}

/*
 * Root ignores permissions, so failures are made with resource limits, which bind root too, in
 * a child process: RLIMIT_NOFILE 4 with fds 0-2 open (the directory opens, no temporary file can
 * be created) and
 * RLIMIT_FSIZE 4 bytes (the temporary file cannot be written completely).
 */
static void write_with_limit(int resource, rlim_t limit)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
        struct rlimit rl = {limit, limit};
        char err[256] = "";
        if (setrlimit(resource, &rl) < 0)
            _exit(2);
        int rc = drift_write(path, -123.456789, err, sizeof err);
        _exit(rc == -1 && strstr(err, "temporary") ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_failed_write_keeps_old_file(void **state)
{
    char err[256], buf[64];
    assert_int_equal(drift_write(path, 12.5, err, sizeof err), 0);
    write_with_limit(RLIMIT_NOFILE, 4); /* fds 0-2 and the directory */
    slurp(buf, sizeof buf);
    assert_string_equal(buf, "12.500000\n");
    assert_int_equal(count_entries(), 1);
    write_with_limit(RLIMIT_FSIZE, 4);
    slurp(buf, sizeof buf);
    assert_string_equal(buf, "12.500000\n");
    assert_int_equal(count_entries(), 1); /* the partial temporary file was removed */
}

/* Read as root in a directory the daemon's user may write: nothing but a small regular file
 * with one name is read, and nothing blocks. */
static void test_special_files_refused(void **state)
{
    char err[256], target[160];
    double ppm = 99;

    /* a symbolic link to a valid drift file is not followed */
    snprintf(target, sizeof target, "%s/target", dir);
    FILE *f = fopen(target, "w");
    assert_non_null(f);
    fputs("1.5\n", f);
    fclose(f);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
    assert_non_null(strstr(err, "symbolic link"));
    unlink(path);
    /* a second name of another file (a hard link) */
    assert_int_equal(link(target, path), 0);
    assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
    assert_non_null(strstr(err, "hard links"));
    unlink(path);
    unlink(target);
    /* a FIFO with no writer: refused at once (an open without O_NONBLOCK would hang) */
    assert_int_equal(mkfifo(path, 0644), 0);
    alarm(5);
    assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
    alarm(0);
    assert_non_null(strstr(err, "not a regular file"));
    unlink(path);
    /* a directory */
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
    assert_non_null(strstr(err, "not a regular file"));
    rmdir(path);
    /* a device (root only: skipped otherwise) */
    if (mknod(path, S_IFCHR | 0644, makedev(1, 5)) == 0) { /* /dev/zero */
        assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
        assert_non_null(strstr(err, "not a regular file"));
        unlink(path);
    }
    /* oversized: refused from its size, nothing read */
    f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 100000; i++)
        fputc(' ', f);
    fclose(f);
    assert_int_equal(drift_read(path, &ppm, err, sizeof err), DRIFT_INVALID);
    assert_non_null(strstr(err, "too long"));
    assert_true(ppm == 99);
}

/* The write replaces a symbolic link by a file: the link's target is untouched. */
static void test_write_replaces_a_link(void **state)
{
    char err[256], target[160], buf[64];

    snprintf(target, sizeof target, "%s/target", dir);
    FILE *f = fopen(target, "w");
    assert_non_null(f);
    fputs("secret\n", f);
    fclose(f);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(drift_write(path, 2.25, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    slurp(buf, sizeof buf);
    assert_string_equal(buf, "2.250000\n");
    f = fopen(target, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "secret\n");
}

static void test_should_write(void **state)
{
    assert_true(drift_should_write(-1.0, 5.0));
    assert_false(drift_should_write(100.0, 100.0 + 3599.0));
    assert_true(drift_should_write(100.0, 100.0 + 3600.0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ntpd_format_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_files_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_is_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_into_missing_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_at_dirfd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_files_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_replaces_a_link, setup, teardown),
        cmocka_unit_test(test_should_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
