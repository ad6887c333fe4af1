// SPDX-License-Identifier: ISC
/* The ClockBound v2 segment: the bound computation, the seqlock store, the mapped file. */
#include "daemon/parent/clockbound.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(struct cb_segment) == 80, "ClockBound v2 segment size");
_Static_assert(offsetof(struct cb_segment, as_of_sec) == 16, "as-of offset");
_Static_assert(offsetof(struct cb_segment, bound_ns) == 48, "bound offset");
_Static_assert(offsetof(struct cb_segment, disruption_marker) == 56, "marker offset");
_Static_assert(offsetof(struct cb_segment, max_drift_ppb) == 64, "drift offset");
_Static_assert(offsetof(struct cb_segment, status) == 68, "status offset");
_Static_assert(offsetof(struct cb_segment, disruption_support) == 72, "support offset");

#define MAX_BOUND_S 1e9 /* ~31 years: far beyond any real bound, keeps the ns in an i64 */

void cb_compute(const struct cb_inputs *in, struct cb_bound *out)
{
    double bound_s = fabs(in->offset_s) + in->root_delay_s / 2 + in->root_dispersion_s;
    double drift_ppm =
        in->freq_sd_ppm > 0 ? fmax(CB_MIN_DRIFT_PPM, 3 * in->freq_sd_ppm) : CB_MAX_DRIFT_PPM;

    if (!isfinite(bound_s) || bound_s > MAX_BOUND_S)
        bound_s = MAX_BOUND_S;
    out->bound_ns = (int64_t)ceil(fmax(bound_s, 0) * 1e9);
    out->max_drift_ppb = (uint32_t)(fmin(drift_ppm, CB_MAX_DRIFT_PPM) * 1000);
    if (in->disrupted)
        out->status = CB_DISRUPTED;
    else if (in->synchronised)
        out->status = CB_SYNCHRONIZED;
    else if (in->ever_synchronised)
        out->status = CB_FREE_RUNNING;
    else
        out->status = CB_UNKNOWN;
}

#define STORE(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)

void cb_store(struct cb_segment *seg, const struct cb_bound *b)
{
    uint16_t gen = __atomic_load_n(&seg->generation, __ATOMIC_RELAXED);

    if ((gen & 1) == 0) /* odd already: a writer died in an update */
        gen++;
    __atomic_store_n(&seg->generation, gen, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE); /* the odd generation before any field */
    STORE(seg->as_of_sec, (int64_t)b->as_of.tv_sec);
    STORE(seg->as_of_nsec, (int64_t)b->as_of.tv_nsec);
    STORE(seg->void_after_sec, (int64_t)b->as_of.tv_sec + CB_VOID_AFTER_S);
    STORE(seg->void_after_nsec, (int64_t)b->as_of.tv_nsec);
    STORE(seg->bound_ns, b->bound_ns);
    STORE(seg->disruption_marker, b->disruption_marker);
    STORE(seg->max_drift_ppb, b->max_drift_ppb);
    STORE(seg->status, (int32_t)b->status);
    STORE(seg->disruption_support, (uint8_t)b->disruption_support);
    gen++;
    if (gen == 0)
        gen = 2; /* 0 means "not initialised" to readers */
    __atomic_store_n(&seg->generation, gen, __ATOMIC_RELEASE); /* the fields before the even one */
}

static int make_dir_of(const char *path, char *err, size_t errlen)
{
    char dir[4096];
    char *slash;

    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
        return 0;
    *slash = '\0';
    if (mkdir(dir, 0755) == 0 || errno == EEXIST)
        return 0;
    snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
    return -1;
}

static bool valid_v2(const struct cb_segment *s)
{
    return s->magic[0] == CB_MAGIC0 && s->magic[1] == CB_MAGIC1 &&
           s->size == sizeof(struct cb_segment) && s->version == CB_VERSION;
}

/* A fresh segment: version and generation 0 until the first publication. */
static void wipe(struct cb_segment *s)
{
    memset(s, 0, sizeof(*s));
    s->magic[0] = CB_MAGIC0;
    s->magic[1] = CB_MAGIC1;
    s->size = sizeof(*s);
}

static int map_file(struct cb_writer *w, int fd, const char *path, char *err, size_t errlen)
{
    struct stat st;
    void *p;

    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file", path);
        return -1;
    }
    if (st.st_size != (off_t)sizeof(struct cb_segment) &&
        ftruncate(fd, sizeof(struct cb_segment)) < 0) {
        snprintf(err, errlen, "cannot size %s: %s", path, strerror(errno));
        return -1;
    }
    p = mmap(NULL, sizeof(struct cb_segment), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "cannot map %s: %s", path, strerror(errno));
        return -1;
    }
    w->seg = p;
    if (!valid_v2(w->seg))
        wipe(w->seg);
    __atomic_store_n(&w->seg->version, (uint16_t)CB_VERSION, __ATOMIC_RELEASE);
    return 0;
}

int cb_open(struct cb_writer *w, const char *path, char *err, size_t errlen)
{
    int fd, rc;

    w->seg = NULL;
    if (make_dir_of(path, err, errlen) < 0)
        return -1;
    fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    /* 0644 whatever the umask: applications read the segment (as ClockBound's daemon) */
    if (fchmod(fd, 0644) < 0) {
        snprintf(err, errlen, "cannot chmod %s: %s", path, strerror(errno));
        rc = -1;
    } else {
        rc = map_file(w, fd, path, err, errlen);
    }
    close(fd);
    return rc;
}

void cb_publish(struct cb_writer *w, const struct cb_bound *b)
{
    if (w->seg != NULL)
        cb_store(w->seg, b);
}

void cb_close(struct cb_writer *w)
{
    if (w->seg != NULL)
        munmap(w->seg, sizeof(struct cb_segment));
    w->seg = NULL;
}
