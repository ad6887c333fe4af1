// SPDX-License-Identifier: ISC
// Socket helpers (sock.h).
#include "config.h"

#include "hwts/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int sk_udp_open(int family)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 || errno != EINVAL)
        return fd;
    fd = socket(family, SOCK_DGRAM, 0);
    if (fd < 0)
        return -1;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        // fcntl() on a simulated socket may do nothing; a failure here is real
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int sk_if_index(const char *ifname)
{
    unsigned int index = if_nametoindex(ifname);
    if (index != 0)
        return (int)index;
    struct ifreq ifr;
    if (strlen(ifname) >= IFNAMSIZ)
        return 0;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, ifname);
    int fd = sk_udp_open(AF_INET);
    if (fd < 0)
        return 0;
    int rc = ioctl(fd, SIOCGIFINDEX, &ifr);
    close(fd);
    return rc < 0 ? 0 : ifr.ifr_ifindex;
}
