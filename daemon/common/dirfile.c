// SPDX-License-Identifier: ISC
/* Files reached through their directory's descriptor; see dirfile.h. */
#include "daemon/common/dirfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void dirfile_init(struct dirfile *f)
{
    f->dirfd = -1;
    f->name[0] = '\0';
}

int dirfile_open(struct dirfile *f, const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    int fd;

    dirfile_init(f);
    if (slash == NULL || slash[1] == '\0' || strlen(slash + 1) >= sizeof(f->name) ||
        (size_t)(slash - path) >= sizeof(dir))
        return -EINVAL;
    snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    f->dirfd = fd;
    snprintf(f->name, sizeof(f->name), "%s", slash + 1);
    return 0;
}

void dirfile_close(struct dirfile *f)
{
    if (f->dirfd >= 0)
        close(f->dirfd);
    dirfile_init(f);
}

int dirfile_openat(const struct dirfile *f, const char *name, int flags, mode_t mode)
{
    int fd;

    if (f->dirfd < 0)
        return -EBADF;
    fd = openat(f->dirfd, name != NULL ? name : f->name, flags | O_CLOEXEC, mode);
    return fd < 0 ? -errno : fd;
}

ssize_t dirfile_read(const struct dirfile *f, char *buf, size_t max)
{
    int fd = dirfile_openat(f, NULL, O_RDONLY | O_NOFOLLOW, 0);
    size_t len = 0;
    ssize_t n = 0;
    char extra;

    if (fd < 0)
        return fd;
    while (len < max && (n = read(fd, buf + len, max - len)) > 0)
        len += (size_t)n;
    if (n >= 0 && len == max && (n = read(fd, &extra, 1)) > 0)
        n = -EFBIG;
    else if (n < 0)
        n = -errno;
    close(fd);
    return n < 0 ? n : (ssize_t)len;
}
