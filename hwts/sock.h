// SPDX-License-Identifier: ISC
// Thin socket helpers (prefix sk_) that also work under LD_PRELOAD simulators (clknetsim),
// which refuse socket() type flags and have no if_nametoindex().
#ifndef TSYNC_HWTS_SOCK_H
#define TSYNC_HWTS_SOCK_H

// A UDP socket of `family` (AF_INET, AF_INET6), non-blocking and close-on-exec: with
// SOCK_NONBLOCK|SOCK_CLOEXEC where socket() takes them, else set afterwards with fcntl().
// Returns the descriptor, or -1 with errno.
int sk_udp_open(int family);

// The index of interface `ifname` (if_nametoindex(), else the SIOCGIFINDEX ioctl), 0 if there
// is no such interface.
int sk_if_index(const char *ifname);

#endif
