// SPDX-License-Identifier: ISC
// The real PHC device: open (by path or interface), ioctl, sysfs error bound (see phc.h).

#include "config.h"

#include "hwts/phc.h"
#include "hwts/phc_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "hwts/tsinfo.h"

// Context of a device opened by phc_open(). Both descriptors are opened up front so that the
// handle keeps working after the process chroots or installs its seccomp filter.
struct phc_kernel_dev {
    int fd;       // the PHC, read-only
    int bound_fd; // its parent device's phc_error_bound attribute, -1 when it has none
};

static int kernel_ioctl(void *ctx, unsigned long request, void *arg)
{
    struct phc_kernel_dev *dev = ctx;
    return ioctl(dev->fd, request, arg) < 0 ? -errno : 0;
}

int phc_parse_error_bound(const char *text, int64_t *bound_ns)
{
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno || end == text || (*end != '\0' && *end != '\n') || value < 0)
        return -EINVAL;
    *bound_ns = value;
    return 0;
}

// sysfs regenerates an attribute on every read at offset 0.
static int kernel_error_bound_ns(void *ctx, int64_t *bound_ns)
{
    struct phc_kernel_dev *dev = ctx;
    char text[32];
    if (dev->bound_fd < 0)
        return -ENOENT;
    ssize_t len = pread(dev->bound_fd, text, sizeof(text) - 1, 0);
    if (len < 0)
        return -errno;
    text[len] = '\0';
    return phc_parse_error_bound(text, bound_ns);
}

static int64_t kernel_monotonic_ns(void *ctx)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static const struct phc_dev_ops kernel_ops = {
    .ioctl = kernel_ioctl,
    .error_bound_ns = kernel_error_bound_ns,
    .monotonic_ns = kernel_monotonic_ns,
};

// Turns `name` into a device path: kept if it is a path, else the PHC of that interface.
static int device_path(const char *name, char *path, size_t len)
{
    if (strchr(name, '/')) {
        if ((size_t)snprintf(path, len, "%s", name) >= len)
            return -ENAMETOOLONG;
        return 0;
    }
    struct ts_info info;
    int err = ts_info_get(name, &info);
    if (err)
        return err;
    if (info.phc_index < 0)
        return -ENODEV;
    snprintf(path, len, "/dev/ptp%d", info.phc_index);
    return 0;
}

static void close_device(struct phc_kernel_dev *dev)
{
    close(dev->fd);
    if (dev->bound_fd >= 0)
        close(dev->bound_fd);
    free(dev);
}

// Opens the PHC and, when present, the error bound of its parent device: /sys/dev/char/M:m is
// the ptp class device (the node /sys/class/ptp/ptpN points to) and its `device` link the
// parent, the PCI function for ENA.
static struct phc_kernel_dev *open_device(const char *path, int *err)
{
    struct phc_kernel_dev *dev = calloc(1, sizeof(*dev));
    struct stat st;
    char bound_path[96];
    if (!dev) {
        *err = -ENOMEM;
        return NULL;
    }
    dev->bound_fd = -1;
    // Read-only: tsyncd never adjusts a PHC.
    dev->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (dev->fd < 0) {
        *err = -errno;
        free(dev);
        return NULL;
    }
    if (fstat(dev->fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
        *err = -ENOTTY;
        close_device(dev);
        return NULL;
    }
    snprintf(bound_path, sizeof(bound_path), "/sys/dev/char/%u:%u/device/phc_error_bound",
             major(st.st_rdev), minor(st.st_rdev));
    dev->bound_fd = open(bound_path, O_RDONLY | O_CLOEXEC);
    return dev;
}

struct phc *phc_open(const char *name, int *err)
{
    char path[256];
    struct ptp_clock_caps caps;
    *err = device_path(name, path, sizeof(path));
    if (*err)
        return NULL;
    struct phc_kernel_dev *dev = open_device(path, err);
    if (!dev)
        return NULL;
    struct phc *phc = phc_open_ops(&kernel_ops, dev);
    if (!phc) {
        *err = -ENOMEM;
        close_device(dev);
        return NULL;
    }
    phc->owns_ctx = true;
    *err = phc_get_caps(phc, &caps);
    if (*err) {
        phc_close(phc);
        return NULL;
    }
    return phc;
}

void phc_close(struct phc *phc)
{
    if (!phc)
        return;
    if (phc->owns_ctx)
        close_device(phc->ctx);
    free(phc);
}
