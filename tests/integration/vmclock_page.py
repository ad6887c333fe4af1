#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A file with the VMClock page layout (Linux include/uapi/linux/vmclock-abi.h), for tests.

  vmclock_page.py create PATH MARKER   a 4096-octet page: magic "VCLK", version 1, marker
  vmclock_page.py bump PATH            a disruption as a hypervisor makes it: seq_count odd,
                                       disruption_marker + 1, seq_count even again
  vmclock_page.py marker PATH          print the disruption marker
Little endian, as the ABI says."""
import mmap
import struct
import sys

SEQ, MARKER = 12, 16


def create(path, marker):
    page = bytearray(4096)
    struct.pack_into("<IIHBB", page, 0, 0x4B4C4356, 4096, 1, 0xFF, 0)
    struct.pack_into("<IQ", page, SEQ, 2, marker)
    page[34] = 0  # clock_status unknown, as QEMU's device
    with open(path, "wb") as f:
        f.write(page)


def bump(path):
    with open(path, "r+b") as f:
        m = mmap.mmap(f.fileno(), 4096)
        seq, marker = struct.unpack_from("<IQ", m, SEQ)
        struct.pack_into("<I", m, SEQ, seq | 1)
        struct.pack_into("<Q", m, MARKER, marker + 1)
        struct.pack_into("<I", m, SEQ, (seq | 1) + 1)
        m.close()


def main(argv):
    if argv[1] == "create":
        create(argv[2], int(argv[3]))
    elif argv[1] == "bump":
        bump(argv[2])
    else:
        with open(argv[2], "rb") as f:
            print(struct.unpack_from("<Q", f.read(24), MARKER)[0])


if __name__ == "__main__":
    main(sys.argv)
