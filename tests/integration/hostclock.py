#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Prints the host clock state for the tests' tripwire, reading only (adjtimex with modes = 0):
"FREQ OFFSET STATUS TICK RT_MINUS_MONO_NS" (kernel units: freq in 2^-16 ppm, offset in us or ns,
tick in us; the last field is CLOCK_REALTIME - CLOCK_MONOTONIC in ns, which jumps when the clock
is stepped)."""
import ctypes
import ctypes.util
import sys
import time


class Timeval(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("usec", ctypes.c_long)]


class Timex(ctypes.Structure):
    """struct timex of <sys/timex.h> (Linux, 64-bit and 32-bit layouts alike: longs)."""
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long),
                ("status", ctypes.c_int), ("constant", ctypes.c_long),
                ("precision", ctypes.c_long), ("tolerance", ctypes.c_long),
                ("time", Timeval), ("tick", ctypes.c_long), ("ppsfreq", ctypes.c_long),
                ("jitter", ctypes.c_long), ("shift", ctypes.c_int), ("stabil", ctypes.c_long),
                ("jitcnt", ctypes.c_long), ("calcnt", ctypes.c_long),
                ("errcnt", ctypes.c_long), ("stbcnt", ctypes.c_long), ("tai", ctypes.c_int),
                ("reserved", ctypes.c_int * 11)]


def main():
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    tx = Timex()  # zeroed: modes = 0 reads the state and changes nothing
    if libc.adjtimex(ctypes.byref(tx)) < 0:
        print("adjtimex: errno %d" % ctypes.get_errno(), file=sys.stderr)
        return 1
    rt_minus_mono_ns = time.clock_gettime_ns(time.CLOCK_REALTIME) - \
        time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    print(tx.freq, tx.offset, tx.status, tx.tick, rt_minus_mono_ns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
