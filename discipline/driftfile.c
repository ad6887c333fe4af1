// SPDX-License-Identifier: ISC
/* ntpd-format drift file: parse, atomic write, write policy. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discipline/driftfile.h"

#define DRIFT_MAX_LEN 128 /* bytes; a real drift file is ~12 */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Read at most DRIFT_MAX_LEN + 1 bytes so an oversized file is detected. */
static ssize_t read_small(int fd, char *buf, size_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Only a plain decimal number: no hex, no nan/inf words, nothing else. */
static bool only_decimal_chars(const char *s)
{
    for (; *s; s++)
        if (!strchr("0123456789+-.eE \t\r\n", *s))
            return false;
    return true;
}

static enum drift_result parse(const char *text, const char *path, double *ppm, char *err,
                               size_t errlen)
{
    if (!only_decimal_chars(text)) {
        set_err(err, errlen, "drift file %s: %s, ignored", path, "not a number");
        return DRIFT_INVALID;
    }
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno == ERANGE) {
        set_err(err, errlen, "drift file %s: %s, ignored", path, "not a number");
        return DRIFT_INVALID;
    }
    end += strspn(end, " \t\r\n");
    if (*end != '\0') {
        set_err(err, errlen, "drift file %s: %s, ignored", path, "trailing garbage");
        return DRIFT_INVALID;
    }
    if (!isfinite(v) || fabs(v) > DRIFT_MAX_PPM) {
        set_err(err, errlen, "drift file %s: %s, ignored", path, "frequency beyond +-500 ppm");
        return DRIFT_INVALID;
    }
    *ppm = v;
    return DRIFT_OK;
}

/* Why fd (just opened) is not a drift file to read, or NULL: a FIFO, device, directory or
 * socket; a file with other names (a hard link to another file); an oversized one. */
static const char *not_a_drift_file(int fd)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return strerror(errno);
    if (!S_ISREG(st.st_mode))
        return "not a regular file";
    if (st.st_nlink != 1)
        return "has other hard links";
    return st.st_size > DRIFT_MAX_LEN ? "too long" : NULL;
}

enum drift_result drift_read(const char *path, double *ppm, char *err, size_t errlen)
{
    /* Never through a symbolic link, never blocking on a FIFO: the parent reads it as root,
     * in a directory its unprivileged user may write. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT) {
        set_err(err, errlen, "no drift file %s", path);
        return DRIFT_MISSING;
    }
    if (fd < 0 && errno == ELOOP) {
        set_err(err, errlen, "drift file %s: %s, ignored", path, "a symbolic link");
        return DRIFT_INVALID;
    }
    if (fd < 0) {
        set_err(err, errlen, "drift file %s: %s, ignored", path, strerror(errno));
        return DRIFT_ERROR;
    }
    const char *why = not_a_drift_file(fd);
    if (why != NULL) {
        close(fd);
        set_err(err, errlen, "drift file %s: %s, ignored", path, why);
        return DRIFT_INVALID;
    }
    char buf[DRIFT_MAX_LEN + 2];
    ssize_t n = read_small(fd, buf, DRIFT_MAX_LEN + 1);
    int read_errno = errno;
    close(fd);
    if (n < 0) {
        set_err(err, errlen, "drift file %s: %s, ignored", path, strerror(read_errno));
        return DRIFT_ERROR;
    }
    if (n > DRIFT_MAX_LEN) {
        set_err(err, errlen, "drift file %s: %s, ignored", path, "too long");
        return DRIFT_INVALID;
    }
    buf[n] = '\0';
    if (strlen(buf) != (size_t)n) {
        set_err(err, errlen, "drift file %s: %s, ignored", path, "contains a NUL byte");
        return DRIFT_INVALID;
    }
    return parse(buf, path, ppm, err, errlen);
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Split path into its directory ("." if none) and its last component. */
static void split_path(const char *path, char *dir, size_t size, const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/* Create ".<name>.<random>" exclusively in dirfd; its name goes to tmp. */
static int create_temp(int dirfd, const char *name, char *tmp, size_t size)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        unsigned long long r = 0;
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
            r ^= (unsigned long long)getpid() << 20 ^ (unsigned long long)attempt;
        if (snprintf(tmp, size, ".%s.%016llx", name, r) >= (int)size) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = openat(dirfd, tmp, DRIFT_TEMP_OPEN_FLAGS, 0644);
        struct stat st;
        if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
            close(fd); /* O_EXCL made it: cannot happen, but never write anything else */
            unlinkat(dirfd, tmp, 0);
            errno = EINVAL;
            return -1;
        }
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

/* Write text into a new temporary file in dirfd, fsync'ed and closed; 0 or -1 (removed). */
static int write_temp(int dirfd, const char *name, const char *text, char *tmp, size_t size)
{
    int fd = create_temp(dirfd, name, tmp, size);
    if (fd < 0)
        return -1;
    /* 0644 whatever the umask: ntpd's drift file is world-readable. */
    int rc = fchmod(fd, 0644) < 0 || write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0;
    int e = errno;
    if (close(fd) < 0 && !rc) {
        rc = 1;
        e = errno;
    }
    if (rc) {
        unlinkat(dirfd, tmp, 0);
        errno = e;
        return -1;
    }
    return 0;
}

int drift_write_at(int dirfd, const char *name, double ppm, char *err, size_t errlen)
{
    if (!isfinite(ppm) || fabs(ppm) > DRIFT_MAX_PPM) {
        set_err(err, errlen, "drift file %s: %s, not written", name,
                "frequency not finite or beyond +-500 ppm");
        return -1;
    }
    if (!*name || strchr(name, '/')) {
        set_err(err, errlen, "drift file %s: %s", name, "not a plain file name");
        return -1;
    }
    char text[64], tmp[NAME_MAX + 1];
    snprintf(text, sizeof text, "%.6f\n", ppm);
    if (write_temp(dirfd, name, text, tmp, sizeof tmp) < 0) {
        set_err(err, errlen, "drift file %s: writing the temporary file: %s", name,
                strerror(errno));
        return -1;
    }
    if (renameat(dirfd, tmp, dirfd, name) < 0) {
        int e = errno;
        unlinkat(dirfd, tmp, 0);
        set_err(err, errlen, "drift file %s: %s", name, strerror(e));
        return -1;
    }
    if (fsync(dirfd) < 0) {
        /* The new file is in place; only its durability across a crash is uncertain. */
        set_err(err, errlen, "drift file %s: fsync of the directory: %s", name, strerror(errno));
        return -1;
    }
    return 0;
}

int drift_write(const char *path, double ppm, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    const char *base;
    split_path(path, dir, sizeof dir, &base);
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        set_err(err, errlen, "drift file %s: directory %s: %s", path, dir, strerror(errno));
        return -1;
    }
    int rc = drift_write_at(dirfd, base, ppm, err, errlen);
    close(dirfd);
    return rc;
}

bool drift_should_write(double last_write_s, double now_s)
{
    return last_write_s < 0.0 || now_s - last_write_s >= DRIFT_WRITE_INTERVAL_S;
}
