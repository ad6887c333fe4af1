// SPDX-License-Identifier: ISC
/*
 * The ClockBound segment and the VMClock page. The readers here are written from the documented
 * layouts (ClockBound docs/PROTOCOL.md v2, Linux uapi vmclock-abi.h) with byte offsets, not from
 * the writer's structs: a concurrent reader must never see a torn write.
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/parent/clockbound.h"
#include "daemon/parent/vmclock.h"

/* --- a reader from the documented v2 layout -------------------------------------------------- */

struct doc_snapshot {
    uint16_t generation;
    int64_t as_of_sec, as_of_nsec, void_after_sec, void_after_nsec, bound_ns;
    uint64_t marker;
    uint32_t drift_ppb;
    int32_t status;
    uint8_t support;
};

static uint16_t gen_of(const uint8_t *seg)
{
    return __atomic_load_n((const uint16_t *)(seg + 14), __ATOMIC_ACQUIRE);
}

#define FIELD(type, off) __atomic_load_n((const type *)(seg + (off)), __ATOMIC_RELAXED)

/* The documented protocol: an even, non-zero generation before and after the copy. */
static bool doc_read(const uint8_t *seg, struct doc_snapshot *s)
{
    uint16_t g1 = gen_of(seg), g2;

    if (g1 == 0 || (g1 & 1))
        return false;
    s->as_of_sec = FIELD(int64_t, 16);
    s->as_of_nsec = FIELD(int64_t, 24);
    s->void_after_sec = FIELD(int64_t, 32);
    s->void_after_nsec = FIELD(int64_t, 40);
    s->bound_ns = FIELD(int64_t, 48);
    s->marker = FIELD(uint64_t, 56);
    s->drift_ppb = FIELD(uint32_t, 64);
    s->status = FIELD(int32_t, 68);
    s->support = FIELD(uint8_t, 72);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    g2 = __atomic_load_n((const uint16_t *)(seg + 14), __ATOMIC_RELAXED);
    s->generation = g1;
    return g1 == g2;
}

static void test_layout_header(void **state)
{
    struct cb_segment seg;
    const uint8_t *b = (const uint8_t *)&seg;
    struct cb_bound bound = {.as_of = {100, 5}, .bound_ns = 42, .status = CB_SYNCHRONIZED};
    struct doc_snapshot s;
    uint32_t magic0, magic1, size;

    (void)state;
    memset(&seg, 0, sizeof(seg));
    seg.magic[0] = CB_MAGIC0;
    seg.magic[1] = CB_MAGIC1;
    seg.size = sizeof(seg);
    seg.version = CB_VERSION;
    cb_store(&seg, &bound);
    memcpy(&magic0, b, 4);
    memcpy(&magic1, b + 4, 4);
    memcpy(&size, b + 8, 4);
    assert_int_equal(magic0, 0x414D5A4E);
    assert_int_equal(magic1, 0x43420200);
    assert_int_equal(size, 80);
    assert_int_equal(b[12] | b[13] << 8, 2); /* little-endian test host */
    assert_true(doc_read(b, &s));
    assert_int_equal(s.generation, 2);
    assert_int_equal(s.as_of_sec, 100);
    assert_int_equal(s.as_of_nsec, 5);
    assert_int_equal(s.void_after_sec, 100 + CB_VOID_AFTER_S);
    assert_int_equal(s.bound_ns, 42);
    assert_int_equal(s.status, 1);
}

static void test_generation_wraps_to_2(void **state)
{
    struct cb_segment seg;
    struct cb_bound bound = {.bound_ns = 1};

    (void)state;
    memset(&seg, 0, sizeof(seg));
    seg.generation = 65534;
    cb_store(&seg, &bound);
    assert_int_equal(seg.generation, 2); /* 65535 while writing, never 0 after */
    seg.generation = 7;                  /* a writer died in an update */
    cb_store(&seg, &bound);
    assert_int_equal(seg.generation, 8);
}

static void test_compute(void **state)
{
    struct cb_inputs in = {.synchronised = true,
                           .ever_synchronised = true,
                           .root_delay_s = 0.002,
                           .root_dispersion_s = 0.0005,
                           .offset_s = -0.0001,
                           .freq_sd_ppm = 1};
    struct cb_bound b;

    (void)state;
    cb_compute(&in, &b);
    assert_int_equal(b.bound_ns, 1600000); /* 0.1 ms + 1 ms + 0.5 ms */
    assert_int_equal(b.max_drift_ppb, 15000);
    assert_int_equal(b.status, CB_SYNCHRONIZED);
    in.freq_sd_ppm = 10;
    in.synchronised = false;
    cb_compute(&in, &b);
    assert_int_equal(b.max_drift_ppb, 30000);
    assert_int_equal(b.status, CB_FREE_RUNNING);
    in.freq_sd_ppm = 0;
    in.ever_synchronised = false;
    in.offset_s = 1e300;
    cb_compute(&in, &b);
    assert_int_equal(b.max_drift_ppb, 500000);
    assert_int_equal(b.status, CB_UNKNOWN);
    assert_true(b.bound_ns > 0 && b.bound_ns <= (int64_t)1e18);
    in.disrupted = true;
    in.synchronised = true;
    cb_compute(&in, &b);
    assert_int_equal(b.status, CB_DISRUPTED);
}

/* Writer thread: every field derived from one counter; the reader checks that each snapshot it
 * accepts has all fields from the same write. */
static struct cb_segment shared_seg __attribute__((aligned(64)));
static volatile int writer_done;

static void *writer(void *arg)
{
    int64_t k;

    (void)arg;
    for (k = 1; k <= 2000000; k++) {
        struct cb_bound b = {.as_of = {k, k % 1000000000},
                             .bound_ns = k * 3,
                             .max_drift_ppb = (uint32_t)k,
                             .status = (enum cb_status)(k & 3),
                             .disruption_marker = (uint64_t)k * 7,
                             .disruption_support = (k & 1) != 0};
        cb_store(&shared_seg, &b);
    }
    __atomic_store_n(&writer_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_concurrent_reader_never_torn(void **state)
{
    const uint8_t *seg = (const uint8_t *)&shared_seg;
    struct doc_snapshot s;
    pthread_t t;
    long accepted = 0, torn = 0;

    (void)state;
    memset(&shared_seg, 0, sizeof(shared_seg));
    assert_int_equal(pthread_create(&t, NULL, writer, NULL), 0);
    while (!__atomic_load_n(&writer_done, __ATOMIC_ACQUIRE)) {
        if (!doc_read(seg, &s))
            continue;
        int64_t k = s.as_of_sec;
        accepted++;
        if (s.as_of_nsec != k % 1000000000 || s.void_after_sec != k + CB_VOID_AFTER_S ||
            s.bound_ns != k * 3 || s.drift_ppb != (uint32_t)k || s.status != (k & 3) ||
            s.marker != (uint64_t)k * 7 || s.support != (k & 1))
            torn++;
    }
    pthread_join(t, NULL);
    assert_true(accepted > 0);
    assert_int_equal(torn, 0);
}

static void test_open_creates_and_reuses(void **state)
{
    char dir[] = "/tmp/tsync-cb-XXXXXX", path[128], err[256];
    struct cb_writer w;
    struct cb_bound b = {.bound_ns = 99, .status = CB_SYNCHRONIZED};
    struct stat st;
    struct doc_snapshot s;
    int fd;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/clockbound/shm0", dir);
    umask(077);
    assert_int_equal(cb_open(&w, path, err, sizeof(err)), 0);
    cb_publish(&w, &b);
    cb_publish(&w, &b);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644); /* readable by applications, whatever the umask */
    assert_int_equal(st.st_size, 80);
    cb_close(&w);
    assert_int_equal(cb_open(&w, path, err, sizeof(err)), 0); /* a restart keeps the segment */
    assert_true(doc_read((const uint8_t *)w.seg, &s));
    assert_int_equal(s.generation, 4);
    assert_int_equal(s.bound_ns, 99);
    cb_close(&w);
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0 && write(fd, "junk", 4) == 4);
    close(fd);
    assert_int_equal(cb_open(&w, path, err, sizeof(err)), 0); /* junk: wiped */
    assert_int_equal(w.seg->generation, 0);
    assert_int_equal(w.seg->version, 2);
    cb_close(&w);
    unlink(path);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    assert_int_equal(cb_open(&w, path, err, sizeof(err)), -1); /* never through a link */
    unlink(path);
    snprintf(path, sizeof(path), "%s/clockbound", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/no/such/dir/shm0", dir);
    assert_int_equal(cb_open(&w, path, err, sizeof(err)), -1);
    rmdir(dir);
}

/* --- VMClock ------------------------------------------------------------------------------- */

static void put_le(uint8_t *page, size_t off, uint64_t v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        page[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* A page as the hypervisor fills it (uapi vmclock-abi.h offsets). */
static void make_page(uint8_t *page, uint64_t marker)
{
    memset(page, 0, 4096);
    put_le(page, 0, 0x4b4c4356, 4); /* magic "VCLK" */
    put_le(page, 4, 4096, 4);       /* size */
    put_le(page, 8, 1, 2);          /* version */
    page[10] = 0xff;                /* counter_id invalid */
    put_le(page, 12, 2, 4);         /* seq_count, even */
    put_le(page, 16, marker, 8);    /* disruption_marker */
    page[34] = 2;                   /* clock_status synchronized */
}

static void test_vmclock_read_and_disruption(void **state)
{
    static uint8_t page[4096] __attribute__((aligned(4096)));
    struct vmclock_state a, b;
    char why[128];

    (void)state;
    make_page(page, 5);
    assert_int_equal(vmclock_read(page, sizeof(page), &a), 0);
    assert_int_equal(a.disruption_marker, 5);
    assert_int_equal(a.clock_status, 2);
    assert_false(a.has_vm_generation);
    put_le(page, 16, 6, 8);
    assert_int_equal(vmclock_read(page, sizeof(page), &b), 0);
    assert_true(vmclock_disrupted(&a, &b, why, sizeof(why)));
    assert_string_equal(why, "VMClock disruption marker 5 -> 6");
    assert_false(vmclock_disrupted(&b, &b, why, sizeof(why)));
    put_le(page, 24, 1u << 8, 8); /* VM generation counter present */
    put_le(page, 104, 1, 8);
    assert_int_equal(vmclock_read(page, sizeof(page), &a), 0);
    put_le(page, 104, 2, 8);
    assert_int_equal(vmclock_read(page, sizeof(page), &b), 0);
    assert_true(vmclock_disrupted(&a, &b, why, sizeof(why)));
    put_le(page, 12, 3, 4); /* an update that never ends */
    assert_int_equal(vmclock_read(page, sizeof(page), &a), -2);
    make_page(page, 1);
    page[0] ^= 1;
    assert_int_equal(vmclock_read(page, sizeof(page), &a), -1);
    make_page(page, 1);
    put_le(page, 8, 2, 2); /* a version this reader does not know */
    assert_int_equal(vmclock_read(page, sizeof(page), &a), -1);
    make_page(page, 1);
    assert_int_equal(vmclock_read(page, 64, &a), -1); /* too short */
}

static void test_vmclock_file(void **state)
{
    static uint8_t page[4096];
    char path[] = "/tmp/tsync-vmclock-XXXXXX", err[256], why[128];
    struct vmclock v;
    bool missing;
    int fd;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    make_page(page, 10);
    assert_int_equal(write(fd, page, 100), 100);
    assert_int_equal(vmclock_open(&v, path, &missing, err, sizeof(err)), -1); /* short */
    assert_int_equal(pwrite(fd, page, sizeof(page), 0), (ssize_t)sizeof(page));
    assert_int_equal(vmclock_open(&v, path, &missing, err, sizeof(err)), 0);
    assert_int_equal(vmclock_check(&v, why, sizeof(why)), 0);
    put_le(page, 16, 11, 8);
    assert_int_equal(pwrite(fd, page + 16, 8, 16), 8); /* seen through the shared mapping */
    assert_int_equal(vmclock_check(&v, why, sizeof(why)), 1);
    assert_int_equal(vmclock_check(&v, why, sizeof(why)), 0);
    vmclock_close(&v);
    close(fd);
    unlink(path);
    assert_int_equal(vmclock_open(&v, path, &missing, err, sizeof(err)), -1);
    assert_true(missing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_header),
        cmocka_unit_test(test_generation_wraps_to_2),
        cmocka_unit_test(test_compute),
        cmocka_unit_test(test_concurrent_reader_never_torn),
        cmocka_unit_test(test_open_creates_and_reuses),
        cmocka_unit_test(test_vmclock_read_and_disruption),
        cmocka_unit_test(test_vmclock_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
