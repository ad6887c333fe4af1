// SPDX-License-Identifier: ISC
/*
 * The drift file (prefix drift_), in ntpd's format: the frequency correction in ppm as text on
 * one line (e.g. "-12.345"); tsyncd writes six decimals ("%.6f\n"). Same sign convention as
 * clk_set_freq(): +x makes the clock faster (ntpd's drift file means the same).
 *
 * Write policy (the caller's): at most hourly while running (drift_should_write()), and once at
 * a clean exit regardless of the last write. The parent process calls these.
 */
#ifndef TSYNC_DISCIPLINE_DRIFTFILE_H
#define TSYNC_DISCIPLINE_DRIFTFILE_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>

/* Values beyond this are ignored when read and refused when written (the kernel's MAXFREQ). */
#define DRIFT_MAX_PPM 500.0
/* The flags of the temporary file's openat(): a new file (never an existing one, never through
 * a link), not blocking. The parent's seccomp filter allows exactly these in the drift file's
 * directory. */
#define DRIFT_TEMP_OPEN_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)

/* Minimum interval between two periodic writes, s. */
#define DRIFT_WRITE_INTERVAL_S 3600.0

enum drift_result {
    DRIFT_OK = 0,      /* *ppm set */
    DRIFT_MISSING = 1, /* no drift file (first start): not an error, log at info level */
    DRIFT_INVALID = 2, /* corrupt or out of range: warn with err and ignore the file */
    DRIFT_ERROR = -1,  /* cannot read it (permissions, I/O): warn with err and ignore */
};

/*
 * Read the drift file. Exactly one finite decimal number, optionally surrounded by whitespace,
 * with |ppm| <= DRIFT_MAX_PPM; anything else (empty, text, trailing garbage, a second number,
 * NaN, inf, hex, longer than 128 bytes) is DRIFT_INVALID. *ppm is only written on DRIFT_OK; err
 * describes every other result (NUL-terminated when errlen > 0).
 */
enum drift_result drift_read(const char *path, double *ppm, char *err, size_t errlen);

/*
 * Write the drift file atomically: a temporary file in the same directory (mode 0644), write,
 * fsync, rename over path, fsync the directory. On failure the previous file is unchanged, the
 * temporary file is removed, err says why and -1 is returned. Refuses non-finite or
 * out-of-range values.
 */
int drift_write(const char *path, double ppm, char *err, size_t errlen);

/*
 * The same in the directory dirfd (name: a plain file name): for a parent that keeps a
 * descriptor of the drift file's directory across chroot. drift_write() opens the directory and
 * calls this. The temporary file is ".<name>.<16 hex digits>", created with O_EXCL.
 */
int drift_write_at(int dirfd, const char *name, double ppm, char *err, size_t errlen);

/*
 * Periodic write policy: true if the file was never written (last_write_s < 0) or at least
 * DRIFT_WRITE_INTERVAL_S have passed since. Times in seconds on a monotonic scale.
 */
bool drift_should_write(double last_write_s, double now_s);

#endif
