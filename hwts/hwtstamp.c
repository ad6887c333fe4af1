// SPDX-License-Identifier: ISC
// SIOCSHWTSTAMP with filter negotiation, SIOCGHWTSTAMP (see hwtstamp.h).

#include "config.h"

#include "hwts/hwtstamp.h"

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "hwts/tsinfo.h"

static int kernel_ioctl(void *ctx, const char *ifname, unsigned long request,
                        struct hwtstamp_config *cfg)
{
    struct ifreq ifr;
    if (strlen(ifname) >= IFNAMSIZ)
        return -ENODEV;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, ifname);
    ifr.ifr_data = (char *)cfg;
    return ioctl(*(const int *)ctx, request, &ifr) < 0 ? -errno : 0;
}

const struct ts_hw_ops ts_hw_kernel_ops = {.ioctl = kernel_ioctl};

// One combination to try, in order of preference.
struct hw_choice {
    int tx_type;
    int rx_filter;
};

static const struct hw_choice hw_choices[] = {
    {HWTSTAMP_TX_ON, HWTSTAMP_FILTER_NTP_ALL}, {HWTSTAMP_TX_ON, HWTSTAMP_FILTER_ALL},
    {HWTSTAMP_TX_ON, HWTSTAMP_FILTER_NONE},    {HWTSTAMP_TX_OFF, HWTSTAMP_FILTER_NTP_ALL},
    {HWTSTAMP_TX_OFF, HWTSTAMP_FILTER_ALL},
};

// Whether the capabilities allow a combination. Unknown capabilities allow everything. A
// specific filter is tried only when advertised; ALL also when only RX_HARDWARE is (ENA).
static bool choice_advertised(const struct hw_choice *c, const struct ts_info *caps)
{
    if (!caps)
        return true;
    if (c->tx_type == HWTSTAMP_TX_ON && !ts_info_hw_tx(caps))
        return false;
    if (c->rx_filter == HWTSTAMP_FILTER_NONE)
        return true;
    if (!ts_info_hw_rx(caps))
        return false;
    if (caps->rx_filters & (1u << c->rx_filter))
        return true;
    return c->rx_filter == HWTSTAMP_FILTER_ALL && caps->rx_filters == 0;
}

static void state_from_config(const struct hwtstamp_config *cfg, struct ts_hw_state *state)
{
    state->tx_type = cfg->tx_type;
    state->rx_filter = cfg->rx_filter;
    state->tx = cfg->tx_type == HWTSTAMP_TX_ON;
    // SOME: the driver stamps some packets it chose; NTP packets may be among them.
    state->rx = cfg->rx_filter == HWTSTAMP_FILTER_ALL || cfg->rx_filter == HWTSTAMP_FILTER_SOME ||
                cfg->rx_filter == HWTSTAMP_FILTER_NTP_ALL;
}

int ts_hw_get(const struct ts_hw_ops *ops, void *ctx, const char *ifname, struct ts_hw_state *state)
{
    struct hwtstamp_config cfg = {0};
    int err = ops->ioctl(ctx, ifname, SIOCGHWTSTAMP, &cfg);
    if (err == 0)
        state_from_config(&cfg, state);
    return err;
}

static bool ends_search(int err)
{
    return err == -EPERM || err == -EACCES || err == -ENODEV || err == -EOPNOTSUPP;
}

int ts_hw_enable(const struct ts_hw_ops *ops, void *ctx, const char *ifname,
                 const struct ts_info *caps, struct ts_hw_state *state)
{
    int err = -EOPNOTSUPP;
    memset(state, 0, sizeof(*state));
    for (size_t i = 0; i < sizeof(hw_choices) / sizeof(hw_choices[0]); i++) {
        const struct hw_choice *c = &hw_choices[i];
        if (!choice_advertised(c, caps))
            continue;
        struct hwtstamp_config cfg = {.tx_type = c->tx_type, .rx_filter = c->rx_filter};
        err = ops->ioctl(ctx, ifname, SIOCSHWTSTAMP, &cfg);
        if (err == 0) {
            // Prefer what the driver reports now; older drivers only write back the request.
            if (ts_hw_get(ops, ctx, ifname, state) != 0)
                state_from_config(&cfg, state);
            return state->tx || state->rx ? 0 : -EOPNOTSUPP;
        }
        if (ends_search(err))
            break;
    }
    return err;
}
