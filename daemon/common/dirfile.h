// SPDX-License-Identifier: ISC
/*
 * A file reached through a descriptor of its directory (prefix dirfile_), opened while the
 * process can still see the file system, so that after chroot the file can still be re-read
 * (configuration, leapfile), reopened (log, statistics after logrotate) or replaced atomically
 * by name. The directory descriptor gives access to that directory only by the names the
 * process asks for: the parent keeps those of its own files, and closes them in its children.
 */
#ifndef TSYNC_DAEMON_DIRFILE_H
#define TSYNC_DAEMON_DIRFILE_H

#include <stddef.h>
#include <sys/types.h>

#define DIRFILE_NAME_MAX 256

struct dirfile {
    int dirfd;                   /* -1: not open */
    char name[DIRFILE_NAME_MAX]; /* the file's name in that directory */
};

/* Not open (dirfd -1). */
void dirfile_init(struct dirfile *f);

/* Opens the directory of path (absolute) and remembers its last component. 0 or -errno. */
int dirfile_open(struct dirfile *f, const char *path);

void dirfile_close(struct dirfile *f);

/* openat() of the file (or of another name in the same directory when name is not NULL). */
int dirfile_openat(const struct dirfile *f, const char *name, int flags, mode_t mode);

/* Reads the whole file into buf (at most max octets: a longer file is -EFBIG). Returns the
 * length or -errno. */
ssize_t dirfile_read(const struct dirfile *f, char *buf, size_t max);

#endif
