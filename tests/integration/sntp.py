#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""SNTP queries, independent of tsyncd's code: sntp.py ADDR [TIMEOUT_S] (IPv4 or IPv6 ADDR).
Prints "OFFSET_S STRATUM LEAP REFID" of the reply with the shortest round trip of five:
OFFSET_S is the server's clock minus this host's CLOCK_REALTIME (RFC 5905 offset, from the four
timestamps). Exit 1 when a query got no valid reply within TIMEOUT_S (default 1 s)."""
import os
import socket
import struct
import sys
import time

NTP_UNIX_DELTA_S = 2208988800  # seconds from 1900 to 1970
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # 35: asm-generic and x86


def ntp_to_unix(ts64):
    return (ts64 >> 32) - NTP_UNIX_DELTA_S + (ts64 & 0xFFFFFFFF) / 2.0**32


def refid_text(stratum, refid):
    if stratum <= 1:
        return refid.rstrip(b"\0").decode("ascii", "replace") or "-"
    return socket.inet_ntoa(refid)  # for an IPv6 source, the first 4 bytes of its MD5 hash


def kernel_rx_time(ancdata):
    """The SO_TIMESTAMPNS receive time of a datagram (host CLOCK_REALTIME), or None."""
    for level, kind, value in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
            sec, nsec = struct.unpack("qq", value[:16])
            return sec + nsec * 1e-9
    return None


def query(addr, timeout_s):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(timeout_s)
    # the kernel's receive time: a busy machine delays this script, not the timestamp
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    xmt = os.urandom(8)  # the origin check: the reply must echo these 8 bytes
    request = bytes([0x23]) + bytes(39) + xmt  # LI 0, VN 4, mode 3
    t1 = time.time()
    sock.sendto(request, (addr, 123))
    while True:
        data, ancdata, _, _ = sock.recvmsg(1024, socket.CMSG_SPACE(16))
        t4 = kernel_rx_time(ancdata) or time.time()
        if len(data) >= 48 and data[24:32] == xmt and data[0] & 7 == 4:
            break
    li = data[0] >> 6
    stratum = data[1]
    t2 = ntp_to_unix(struct.unpack("!Q", data[32:40])[0])
    t3 = ntp_to_unix(struct.unpack("!Q", data[40:48])[0])
    offset_s = ((t2 - t1) + (t3 - t4)) / 2
    delay_s = (t4 - t1) - (t3 - t2)
    return delay_s, "%.6f %d %d %s" % (offset_s, stratum, li, refid_text(stratum, data[12:16]))


def main():
    timeout_s = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    try:
        replies = [query(sys.argv[1], timeout_s) for _ in range(5)]
        print(min(replies)[1])
    except OSError as e:  # socket.timeout is an OSError
        print("sntp: %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
