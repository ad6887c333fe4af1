#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A man in the middle for NTP: udp_tamper.py LISTEN_ADDR SERVER_ADDR OFFSET

Relays every datagram received on LISTEN_ADDR:123 to SERVER_ADDR:123 and the reply back, with
the octet at OFFSET of the reply inverted (OFFSET past the end: the last octet). Prints one line
per reply relayed. Runs until killed."""
import select
import socket
import sys


def main():
    listen, server, offset = sys.argv[1], sys.argv[2], int(sys.argv[3])
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind((listen, 123))
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.bind(("0.0.0.0", 0))
    client = None
    while True:
        ready, _, _ = select.select([front, back], [], [])
        if front in ready:
            data, client = front.recvfrom(2048)
            back.sendto(data, (server, 123))
        if back in ready:
            data, _ = back.recvfrom(2048)
            if client is None:
                continue
            reply = bytearray(data)
            at = min(offset, len(reply) - 1)
            reply[at] ^= 0xFF
            front.sendto(bytes(reply), client)
            print(f"relayed a reply of {len(reply)} octets, octet {at} inverted", flush=True)


if __name__ == "__main__":
    main()
