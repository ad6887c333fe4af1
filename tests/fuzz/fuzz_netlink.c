// SPDX-License-Identifier: ISC
// fuzz-sources: hwts/netlink.c hwts/tsinfo.c hwts/sock.c
// fuzz-pkgs: libnl-route-3.0 libnl-genl-3.0
/*
 * libFuzzer target for netlink parsing: the link watch (hwts/netlink.c: RTM_NEWLINK/DELLINK,
 * RTM_NEWADDR/DELADDR parsed by libnl into the watch's caches, then its change callbacks) and
 * the ethtool timestamping reply (hwts/tsinfo.c ts_info_parse_reply). The input is a sequence of
 * messages: [1 octet: which parser, 2 octets: type, 2 octets: length, the payload]; each is
 * given a header whose nlmsg_len is its real length, as the kernel's are. Invariants: no crash,
 * no read out of bounds, event fields terminated and in range.
 */
#include <linux/genetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hwts/netlink.h"
#include "hwts/tsinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_event(const struct nl_watch_event *ev, void *arg)
{
    (void)arg;
    if (memchr(ev->if_name, 0, sizeof(ev->if_name)) == NULL || ev->prefix_len < 0 ||
        ev->prefix_len > 128 || nl_watch_kind_name(ev->kind)[0] == '?')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint64_t buf[65536 / 8];
    int err;
    struct nl_watch *w = nl_watch_open_detached(on_event, NULL, &err);

    if (w == NULL)
        abort();
    while (size >= 5) {
        size_t len = (size_t)data[3] << 8 | data[4];
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        struct ts_info info;

        if (len > size - 5)
            len = size - 5;
        memset(h, 0, sizeof(*h));
        h->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + len);
        h->nlmsg_type = (uint16_t)(data[1] << 8 | data[2]);
        memcpy((uint8_t *)buf + NLMSG_HDRLEN, data + 5, len);
        if (data[0] & 1) {
            if (ts_info_parse_reply(h, &info) == 0 && info.phc_index < -1)
                abort();
        } else {
            nl_watch_feed(w, h);
        }
        data += 5 + len;
        size -= 5 + len;
    }
    nl_watch_close(w);
    return 0;
}
