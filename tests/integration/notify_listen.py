#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A stand-in for systemd's notification socket: notify_listen.py SOCKET OUTFILE.
Binds the AF_UNIX datagram socket SOCKET and appends every message to OUTFILE, one line each
(a message's own newlines, between assignments, become " | "). Runs until killed."""
import os
import socket
import sys


def main():
    path, outfile = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if os.path.exists(path):
        os.unlink(path)
    sock.bind(path)
    with open(outfile, "a", encoding="utf-8") as out:
        out.write("# listening\n")
        out.flush()
        while True:
            msg = sock.recv(4096).decode("utf-8", "replace")
            out.write(msg.strip("\n").replace("\n", " | ") + "\n")
            out.flush()


if __name__ == "__main__":
    main()
