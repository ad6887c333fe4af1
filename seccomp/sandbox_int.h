// SPDX-License-Identifier: ISC
/* Internals of seccomp/ (not for use outside the sandbox library). */
#ifndef TSYNC_SECCOMP_SANDBOX_INT_H
#define TSYNC_SECCOMP_SANDBOX_INT_H

#include <stddef.h>

/* Write a printf-style message into err (if errlen > 0); returns -1. */
int sbx_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
