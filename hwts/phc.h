// SPDX-License-Identifier: ISC
// PTP hardware clocks (/dev/ptpN): open, capabilities, PHC-to-system offset samples.
//
// Only reads: this module never sets, steps or adjusts a PHC (the device is opened read-only).
// Offsets are measured with PTP_SYS_OFFSET_PRECISE (hardware cross-timestamp), else
// PTP_SYS_OFFSET_EXTENDED (system reads bracketing the PHC register read), else PTP_SYS_OFFSET
// (system reads bracketing the whole driver call); the first that works is remembered. A sample
// takes several readings (PRECISE: one) and averages the fastest quarter of them. Every device
// read is charged to a budget (reads per second, default PHC_DEFAULT_BUDGET, under the 125/s ENA
// allows); a sample that would exceed it fails with -EAGAIN before touching the device.
//
// Where the device's sysfs node has `phc_error_bound` (ENA: nanoseconds, refreshed by the
// driver), it is read with every sample and reported so the caller can add it to the source's
// dispersion.
//
// The budget belongs to one `struct phc`: open each device once and share that handle between
// its users (a `refclock phc` and the hardware-timestamp conversion of the same NIC), or the
// device sees the sum of their reads.
//
// All device access goes through `struct phc_dev_ops`, so tests use a fake device.

#ifndef TSYNC_HWTS_PHC_H
#define TSYNC_HWTS_PHC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <linux/ptp_clock.h>

#define PHC_MAX_READINGS     PTP_MAX_SAMPLES // 25, the kernel's limit per ioctl
#define PHC_DEFAULT_READINGS 10              // readings per sample
#define PHC_DEFAULT_BUDGET   100.0           // device reads per second

// How offsets are measured, best first.
enum phc_method {
    PHC_METHOD_UNKNOWN = 0, // not probed yet
    PHC_METHOD_PRECISE,     // PTP_SYS_OFFSET_PRECISE
    PHC_METHOD_EXTENDED,    // PTP_SYS_OFFSET_EXTENDED
    PHC_METHOD_BASIC,       // PTP_SYS_OFFSET
};

// Device operations.
struct phc_dev_ops {
    // ioctl on the PHC: PTP_CLOCK_GETCAPS, PTP_SYS_OFFSET_PRECISE, PTP_SYS_OFFSET_EXTENDED or
    // PTP_SYS_OFFSET with the kernel's argument struct. Returns 0 or -errno.
    int (*ioctl)(void *ctx, unsigned long request, void *arg);
    // The device's current error bound in ns. Returns 0, -ENOENT when it has none, or -errno.
    int (*error_bound_ns)(void *ctx, int64_t *bound_ns);
    // A monotonic clock in ns, for the read budget.
    int64_t (*monotonic_ns)(void *ctx);
};

// One PHC-to-system offset measurement.
struct phc_sample {
    struct timespec sys; // host CLOCK_REALTIME at the measurement instant
    struct timespec phc; // PHC time at that same instant
    int64_t offset_ns;   // phc - sys, ns
    double delay_s;      // mean bracket (system read after - before) of the kept readings, s
    double error_s;      // half of delay_s: the offset is within +-error_s of the truth, s
    int n_read;          // readings taken from the device
    int n_kept;          // readings averaged (the shortest brackets)
    enum phc_method method;
    bool has_error_bound; // the device published an error bound
    double error_bound_s; // that bound (ENA phc_error_bound), s
};

struct phc;

// The name of a method ("precise", "extended", "basic", "unknown").
const char *phc_method_name(enum phc_method method);

// Opens a PHC read-only: `name` is a device path (/dev/ptp0, /dev/ptp_ena) or an interface name
// whose PHC is found with ts_info_get(). Checks it with PTP_CLOCK_GETCAPS and opens the sysfs
// error bound too, so open before chroot/seccomp: the handle keeps working afterwards (ioctl and
// pread only). Returns NULL with *err = -errno (-ENODEV: the interface has no PHC; -ENOTTY: not
// a PHC).
struct phc *phc_open(const char *name, int *err);

// Wraps device operations (a fake device in tests). `ctx` is passed to every operation and
// belongs to the caller. Returns NULL when out of memory.
struct phc *phc_open_ops(const struct phc_dev_ops *ops, void *ctx);

// Closes the device (if phc_open opened it) and frees `phc`. NULL is ignored.
void phc_close(struct phc *phc);

// Reads the device capabilities (PTP_CLOCK_GETCAPS). Returns 0 or -errno.
int phc_get_caps(struct phc *phc, struct ptp_clock_caps *caps);

// Sets the readings per sample (1..PHC_MAX_READINGS; default PHC_DEFAULT_READINGS).
// Returns 0 or -EINVAL.
int phc_set_readings(struct phc *phc, int n);

// Sets the read budget in device reads per second (> 0; default PHC_DEFAULT_BUDGET). Up to one
// second of reads may be spent at once. Returns 0 or -EINVAL.
int phc_set_budget(struct phc *phc, double reads_per_s);

// The method in use (PHC_METHOD_UNKNOWN before the first successful sample).
enum phc_method phc_get_method(const struct phc *phc);

// Measures the PHC-to-system offset into `sample`. Returns 0; -EAGAIN when the read budget does
// not allow the readings now (nothing was read); -EOPNOTSUPP when no method works; -ERANGE when
// every reading had a negative bracket (the system clock was stepped); or the device's -errno
// (e.g. -EIO), in which case `sample` is not valid.
int phc_sample(struct phc *phc, struct phc_sample *sample);

#endif
