// SPDX-License-Identifier: ISC
/* The VMClock page: seqcount reads, disruption detection, the read-only mapping. */
#include "daemon/parent/vmclock.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define OFF_MAGIC   0
#define OFF_SIZE    4
#define OFF_VERSION 8
#define OFF_SEQ     12
#define OFF_MARKER  16
#define OFF_FLAGS   24
#define OFF_STATUS  34
#define OFF_VM_GEN  104

static uint32_t load32(const void *page, size_t off, int order)
{
    return le32toh(__atomic_load_n((const uint32_t *)((const uint8_t *)page + off), order));
}

static uint64_t load64(const void *page, size_t off)
{
    return le64toh(
        __atomic_load_n((const uint64_t *)((const uint8_t *)page + off), __ATOMIC_RELAXED));
}

static bool constant_fields_ok(const void *page, size_t len)
{
    const uint8_t *p = page;
    uint16_t version = (uint16_t)(p[OFF_VERSION] | p[OFF_VERSION + 1] << 8);
    uint32_t size = load32(page, OFF_SIZE, __ATOMIC_RELAXED);

    return len >= VMCLOCK_ABI_SIZE && load32(page, OFF_MAGIC, __ATOMIC_RELAXED) == VMCLOCK_MAGIC &&
           version == 1 && size >= VMCLOCK_ABI_SIZE;
}

int vmclock_read(const void *page, size_t len, struct vmclock_state *out)
{
    int tries;

    if (!constant_fields_ok(page, len))
        return -1;
    for (tries = 0; tries < VMCLOCK_READ_RETRIES; tries++) {
        uint32_t seq = load32(page, OFF_SEQ, __ATOMIC_ACQUIRE);

        if (seq & 1)
            continue;
        out->disruption_marker = load64(page, OFF_MARKER);
        out->flags = load64(page, OFF_FLAGS);
        out->clock_status = __atomic_load_n((const uint8_t *)page + OFF_STATUS, __ATOMIC_RELAXED);
        out->vm_generation = load64(page, OFF_VM_GEN);
        out->has_vm_generation = (out->flags & VMCLOCK_FLAG_VM_GEN) != 0;
        __atomic_thread_fence(__ATOMIC_ACQUIRE); /* the fields before the second seq_count */
        if (load32(page, OFF_SEQ, __ATOMIC_RELAXED) == seq)
            return 0;
    }
    return -2;
}

bool vmclock_disrupted(const struct vmclock_state *a, const struct vmclock_state *b, char *why,
                       size_t len)
{
    if (a->disruption_marker != b->disruption_marker) {
        snprintf(why, len, "VMClock disruption marker %" PRIu64 " -> %" PRIu64,
                 a->disruption_marker, b->disruption_marker);
        return true;
    }
    if (a->has_vm_generation && b->has_vm_generation && a->vm_generation != b->vm_generation) {
        snprintf(why, len, "VMClock VM generation %" PRIu64 " -> %" PRIu64 " (restored)",
                 a->vm_generation, b->vm_generation);
        return true;
    }
    return false;
}

int vmclock_open(struct vmclock *v, const char *path, bool *missing, char *err, size_t errlen)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t len = page > 0 ? (size_t)page : 4096;
    struct stat st;
    void *p;
    int fd, rc;

    v->page = NULL;
    *missing = false;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *missing = errno == ENOENT;
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    /* a test file must hold a whole page: reading a mapping beyond its end is SIGBUS */
    if (fstat(fd, &st) < 0 || (S_ISREG(st.st_mode) && st.st_size < (off_t)len)) {
        snprintf(err, errlen, "%s: shorter than a page", path);
        close(fd);
        return -1;
    }
    p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "cannot map %s: %s", path, strerror(errno));
        return -1;
    }
    rc = vmclock_read(p, len, &v->last);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path,
                 rc == -1 ? "not a VMClock page (magic, version or size)" : "always updating");
        munmap(p, len);
        return -1;
    }
    v->page = p;
    v->len = len;
    return 0;
}

int vmclock_check(struct vmclock *v, char *why, size_t len)
{
    struct vmclock_state now;
    bool disrupted;

    if (v->page == NULL || vmclock_read(v->page, v->len, &now) < 0)
        return -1;
    disrupted = vmclock_disrupted(&v->last, &now, why, len);
    v->last = now;
    return disrupted ? 1 : 0;
}

void vmclock_close(struct vmclock *v)
{
    if (v->page != NULL)
        munmap((void *)v->page, v->len);
    v->page = NULL;
}
