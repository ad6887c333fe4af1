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

enum drift_result drift_read(const char *path, double *ppm, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 && errno == ENOENT) {
        set_err(err, errlen, "no drift file %s", path);
        return DRIFT_MISSING;
    }
    if (fd < 0) {
        set_err(err, errlen, "drift file %s: %s, ignored", path, strerror(errno));
        return DRIFT_ERROR;
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

/* Split path into its directory ("." if none) for the temporary file and the final fsync. */
static void dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* Write text into a new temporary file next to path; returns its fd or -1. */
static int write_temp(const char *text, char *tmp)
{
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fchmod(fd, 0644) < 0 || write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        return -1;
    }
    return fd;
}

int drift_write(const char *path, double ppm, char *err, size_t errlen)
{
    if (!isfinite(ppm) || fabs(ppm) > DRIFT_MAX_PPM) {
        set_err(err, errlen, "drift file %s: %s, not written", path,
                "frequency not finite or beyond +-500 ppm");
        return -1;
    }
    char text[64], dir[PATH_MAX], tmp[PATH_MAX + 32];
    snprintf(text, sizeof text, "%.6f\n", ppm);
    dir_of(path, dir, sizeof dir);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, base) >= (int)sizeof tmp) {
        set_err(err, errlen, "drift file %s: %s", path, "path too long");
        return -1;
    }
    int fd = write_temp(text, tmp);
    if (fd < 0) {
        set_err(err, errlen, "drift file %s: writing the temporary file: %s", path,
                strerror(errno));
        return -1;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        set_err(err, errlen, "drift file %s: %s", path, strerror(e));
        return -1;
    }
    if (fsync_dir(dir) < 0) {
        /* The new file is in place; only its durability across a crash is uncertain. */
        set_err(err, errlen, "drift file %s: fsync of the directory: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

bool drift_should_write(double last_write_s, double now_s)
{
    return last_write_s < 0.0 || now_s - last_write_s >= DRIFT_WRITE_INTERVAL_S;
}
