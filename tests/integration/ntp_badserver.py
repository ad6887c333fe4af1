#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A misbehaving NTP server, independent of tsyncd's code, for the authentication tests:
ntp_badserver.py ADDR MODE COUNT_FILE [SHA1_KEY_HEX]. It answers every mode 3 request on
ADDR:123 with a stratum 1 reply carrying the host time and the right origin timestamp, so only
the MAC is wrong; MODE is
  plain     no MAC (a server that ignores the request's MAC)
  tamper    signed with key id of the request and SHA1_KEY_HEX, then one digest bit flipped
  wrongkey  signed correctly with SHA1_KEY_HEX but under key id 99
  nak       a crypto-NAK (four zero octets)
Each reply sent appends a line to COUNT_FILE. Runs until killed."""
import hashlib
import socket
import struct
import sys
import time

NTP_UNIX_DELTA_S = 2208988800


def ntp_now():
    t = time.time() + NTP_UNIX_DELTA_S
    return (int(t) << 32) | int((t % 1) * 2**32)


def sha1_mac(key, key_id, packet):
    return struct.pack(">I", key_id) + hashlib.sha1(key + packet).digest()


def reply_to(request, mode, key):
    xmt = request[40:48]
    now = ntp_now()
    header = struct.pack(">BBBbII4sQ8sQQ", 0x24, 1, request[2], -20, 0, 0, b"BAD\0", now, xmt,
                         now, now)
    key_id = struct.unpack(">I", request[48:52])[0] if len(request) >= 52 else 1
    if mode == "plain":
        return header
    if mode == "nak":
        return header + bytes(4)
    if mode == "wrongkey":
        return header + sha1_mac(key, 99, header)
    mac = bytearray(sha1_mac(key, key_id, header))
    mac[10] ^= 1
    return header + bytes(mac)


def main():
    addr, mode, count_file = sys.argv[1], sys.argv[2], sys.argv[3]
    key = bytes.fromhex(sys.argv[4]) if len(sys.argv) > 4 else b""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, 123))
    while True:
        request, peer = sock.recvfrom(2048)
        if len(request) < 48 or request[0] & 7 != 3:
            continue
        sock.sendto(reply_to(request, mode, key), peer)
        with open(count_file, "a") as f:
            f.write("reply\n")


if __name__ == "__main__":
    main()
