// SPDX-License-Identifier: ISC
/*
 * The VMClock device (prefix vmclock_): a page the hypervisor keeps up to date (struct
 * vmclock_abi in Linux's include/uapi/linux/vmclock-abi.h; /dev/vmclock0 on EC2 and with QEMU's
 * `vmclock` device). tsyncd watches its disruption marker, which changes when the guest's
 * counter was disrupted (live migration, restore from a snapshot), and the VM generation
 * counter, which changes on a restore.
 *
 * Layout (little endian; offsets in octets): magic u32 0 ("VCLK" 0x4b4c4356), size u32 4,
 * version u16 8 (1), counter_id u8 10, time_type u8 11, seq_count u32 12 (odd: update in
 * progress), disruption_marker u64 16, flags u64 24, clock_status u8 34, vm_generation_counter
 * u64 104 (valid with flag VM_GEN_COUNTER_PRESENT, bit 8). The fields from seq_count on are read
 * with the seqcount protocol: read seq_count, retry while odd, read, read seq_count again, retry
 * if it changed.
 */
#ifndef TSYNC_DAEMON_VMCLOCK_H
#define TSYNC_DAEMON_VMCLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMCLOCK_MAGIC        0x4b4c4356u
#define VMCLOCK_ABI_SIZE     112 /* octets of struct vmclock_abi (version 1) */
#define VMCLOCK_FLAG_VM_GEN  (1u << 8)
#define VMCLOCK_READ_RETRIES 1000

struct vmclock_state {
    uint64_t disruption_marker;
    uint64_t flags;
    uint8_t clock_status; /* VMCLOCK_STATUS_*: 0 unknown .. 4 unreliable */
    bool has_vm_generation;
    uint64_t vm_generation;
};

/*
 * Read the page (len octets, at least VMCLOCK_ABI_SIZE) with the seqcount protocol. 0, -1
 * when the constant fields are not a VMClock (magic, version 1, size), -2 when an update stayed
 * in progress for VMCLOCK_READ_RETRIES tries.
 */
int vmclock_read(const void *page, size_t len, struct vmclock_state *out);

/* Whether b (read after a) reports a disruption: a new marker or a new VM generation; why gets
 * a short English description. */
bool vmclock_disrupted(const struct vmclock_state *a, const struct vmclock_state *b, char *why,
                       size_t len);

struct vmclock {
    const void *page; /* NULL: not open */
    size_t len;
    struct vmclock_state last;
};

/* Map path read-only (privileged, before chroot) and read it once. 0, or -1 with err (errno
 * ENOENT kept in *missing so that a missing default device is not worth a warning). */
int vmclock_open(struct vmclock *v, const char *path, bool *missing, char *err, size_t errlen);
/* 1: disrupted since the last call (why filled), 0: not, -1: unreadable now. */
int vmclock_check(struct vmclock *v, char *why, size_t len);
void vmclock_close(struct vmclock *v);

#endif
