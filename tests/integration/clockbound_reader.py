#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A ClockBound client written from the documented shared memory layout (aws/clock-bound
docs/PROTOCOL.md, version 2; native endian), independent of tsyncd's code.

  clockbound_reader.py read PATH           print "status=S bound_s=B marker=M support=U drift_ppb=D
                                           generation=G age_s=A" at this instant
  clockbound_reader.py contains PATH ADDR  measure the clock of the NTP server at ADDR (this
                                           host's tsyncd) against CLOCK_REALTIME with SNTP and
                                           exit 0 when |offset| <= bound + delay / 2 at that instant
Status is what a ClockBound client reports: the segment's status for 5 s after as-of, then
free-running (2), unknown (0) after void-after. Exit 2 when the segment cannot be read."""
import mmap
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sntp  # noqa: E402  (tests/integration/sntp.py)

LAYOUT = "=IIIHHqqqqqQIiB7x"  # magic (2 x u32), size, version, generation, as-of, void-after,
#                               bound, disruption marker, max drift, status, support, padding
SIZE = struct.calcsize(LAYOUT)
MAGIC = (0x414D5A4E, 0x43420200)
GRACE_S = 5
STATUS_FREE_RUNNING, STATUS_UNKNOWN = 2, 0


def monotonic_coarse():
    return time.clock_gettime(getattr(time, "CLOCK_MONOTONIC_COARSE", time.CLOCK_MONOTONIC))


def snapshot(path, tries=1000):
    """A consistent copy: the same even, non-zero generation before and after."""
    with open(path, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    try:
        for _ in range(tries):
            gen1 = struct.unpack_from("=H", m, 14)[0]
            if gen1 == 0 or gen1 & 1:
                time.sleep(0.001)
                continue
            fields = struct.unpack_from(LAYOUT, m, 0)
            gen2 = struct.unpack_from("=H", m, 14)[0]
            if gen1 == gen2:
                return fields
    finally:
        m.close()
    return None


def bound_now(path):
    """(status, bound_s, fields) as a client computes them now."""
    fields = snapshot(path)
    if fields is None:
        sys.exit("clockbound_reader: no consistent snapshot of %s" % path)
    magic0, magic1, size, version, gen, asof_s, asof_ns, void_s, void_ns, bound_ns, marker, \
        drift_ppb, status, support = fields
    if (magic0, magic1) != MAGIC or size < SIZE or version != 2:
        print("clockbound_reader: %s is not a v2 segment" % path, file=sys.stderr)
        sys.exit(2)
    now = monotonic_coarse()
    as_of, void_after = asof_s + asof_ns * 1e-9, void_s + void_ns * 1e-9
    age = max(now - as_of, 0)
    if status in (1, 2):
        if now >= void_after:
            status = STATUS_UNKNOWN
        elif now >= as_of + GRACE_S:
            status = STATUS_FREE_RUNNING
    bound_s = bound_ns * 1e-9 + drift_ppb * 1e-9 * age
    return status, bound_s, fields, age


def main(argv):
    if len(argv) == 3 and argv[1] == "read":
        status, bound_s, f, age = bound_now(argv[2])
        print("status=%d bound_s=%.9f marker=%d support=%d drift_ppb=%d generation=%d age_s=%.3f"
              % (status, bound_s, f[10], f[13], f[11], f[4], age))
        return 0
    if len(argv) == 4 and argv[1] == "contains":
        delay_s, text = min(sntp.query(argv[3], 1.0) for _ in range(5))
        status, bound_s, _, _ = bound_now(argv[2])
        offset_s = float(text.split()[0])
        ok = abs(offset_s) <= bound_s + delay_s / 2
        print("offset_s=%.6f bound_s=%.6f delay_s=%.6f status=%d %s"
              % (offset_s, bound_s, delay_s, status, "contained" if ok else "OUTSIDE"))
        return 0 if ok else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
