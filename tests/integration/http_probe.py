#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""HTTP probes of tsyncd's metrics listener (and Prometheus's query API) for the tests.

  http_probe.py HOST:PORT PATH                       GET PATH, print the body
  http_probe.py HOST:PORT --status [--method M] PATH  print the status code
  http_probe.py HOST:PORT --raw TEXT                  send TEXT and an empty line, print the status
  http_probe.py HOST:PORT --big-header                a 5000-octet head, print the status
  http_probe.py HOST:PORT --connections N             N connections; is the oldest closed and the
                                                      newest served?
  http_probe.py HOST:PORT --idle S                    "closed" if an idle connection is closed
                                                      within S seconds, else "open"
  http_probe.py HOST:PORT --prometheus PROM QUERY     the value of QUERY's first series
"""
import json
import socket
import sys
import time
import urllib.parse
import urllib.request


def connect(addr):
    host, port = addr.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=5)


def exchange(addr, data):
    with connect(addr) as s:
        s.sendall(data)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


def status_of(reply):
    line = reply.split(b"\r\n", 1)[0].decode("ascii", "replace")
    parts = line.split(" ")
    return parts[1] if len(parts) > 1 else "none"


def request(method, path):
    return f"{method} {path} HTTP/1.1\r\nHost: test\r\nAccept: */*\r\n\r\n".encode()


def connections(addr, n):
    socks = [connect(addr) for _ in range(n)]
    time.sleep(0.5)  # the daemon accepts them all
    socks[-1].sendall(request("GET", "/metrics"))
    newest = b""
    while True:
        b = socks[-1].recv(65536)
        if not b:
            break
        newest += b
    socks[0].settimeout(2)
    try:
        oldest_closed = socks[0].recv(1) == b""
    except (socket.timeout, ConnectionResetError):
        oldest_closed = False
    for s in socks:
        s.close()
    return "%s, %s" % ("oldest closed" if oldest_closed else "oldest open",
                       "newest served" if status_of(newest) == "200" else "newest refused")


def idle(addr, seconds):
    with connect(addr) as s:
        s.settimeout(seconds)
        try:
            return "closed" if s.recv(1) == b"" else "data"
        except socket.timeout:
            return "open"
        except ConnectionResetError:
            return "closed"


def prometheus(prom, query):
    url = "http://%s/api/v1/query?%s" % (prom, urllib.parse.urlencode({"query": query}))
    with urllib.request.urlopen(url, timeout=5) as r:
        result = json.load(r)["data"]["result"]
    if not result:
        sys.exit(1)
    print(result[0]["value"][1])


def main(argv):
    addr, args = argv[1], argv[2:]
    if args[0] == "--status":
        method = "GET"
        if args[1] == "--method":
            method, args = args[2], args[2:]
        print(status_of(exchange(addr, request(method, args[1]))))
    elif args[0] == "--raw":
        print(status_of(exchange(addr, args[1].encode() + b"\r\n\r\n")))
    elif args[0] == "--big-header":
        head = b"GET /metrics HTTP/1.1\r\nX-Filler: " + b"x" * 5000 + b"\r\n\r\n"
        print(status_of(exchange(addr, head)))
    elif args[0] == "--connections":
        print(connections(addr, int(args[1])))
    elif args[0] == "--idle":
        print(idle(addr, float(args[1])))
    elif args[0] == "--prometheus":
        prometheus(args[1], args[2])
    else:
        reply = exchange(addr, request("GET", args[0]))
        head, _, body = reply.partition(b"\r\n\r\n")
        if status_of(head) != "200":
            sys.exit("status %s" % status_of(head))
        sys.stdout.write(body.decode())


if __name__ == "__main__":
    main(sys.argv)
