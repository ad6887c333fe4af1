// SPDX-License-Identifier: ISC
// hwts-probe: shows what tsyncd would find on an interface: timestamping capabilities (ethtool
// netlink and ioctl), the NIC's hardware stamping configuration, and PHC-to-system offsets with
// the conversion fit. Reads only, unless -e asks to enable hardware stamping (CAP_NET_ADMIN;
// device-global). A diagnostic for operators and for the vm tests.
//
// Usage: hwts-probe [-e] [-n SAMPLES] [-r READINGS] IFACE|/dev/ptpN
// Exit status: 0 when the PHC was sampled, 1 when there is no usable PHC, 2 on bad usage.

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "hwts/hwtstamp.h"
#include "hwts/phc.h"
#include "hwts/phc_regress.h"
#include "hwts/tsinfo.h"

static void print_info(const char *how, int err, const struct ts_info *info)
{
    if (err) {
        printf("%-8s error: %s\n", how, strerror(-err));
        return;
    }
    printf("%-8s so_timestamping 0x%05x tx_types 0x%x rx_filters 0x%05x phc %d (hw rx %s, "
           "hw tx %s)\n",
           how, info->so_timestamping, info->tx_types, info->rx_filters, info->phc_index,
           ts_info_hw_rx(info) ? "yes" : "no", ts_info_hw_tx(info) ? "yes" : "no");
}

static void print_hw_state(const char *what, int err, const struct ts_hw_state *hw)
{
    if (err)
        printf("%-8s error: %s\n", what, strerror(-err));
    else
        printf("%-8s tx_type %d rx_filter %d (hw tx %s, hw rx %s)\n", what, hw->tx_type,
               hw->rx_filter, hw->tx ? "on" : "off", hw->rx ? "on" : "off");
}

// Capabilities and hardware configuration of interface `ifname`.
static void probe_interface(const char *ifname, bool enable)
{
    struct ts_info by_nl, by_ioctl;
    struct ts_hw_state hw;
    print_info("netlink", ts_info_get_netlink(ifname, &by_nl), &by_nl);
    int err = ts_info_get_ioctl(ifname, &by_ioctl);
    print_info("ioctl", err, &by_ioctl);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    if (enable)
        print_hw_state("enable",
                       ts_hw_enable(&ts_hw_kernel_ops, &fd, ifname, err ? NULL : &by_ioctl, &hw),
                       &hw);
    print_hw_state("current", ts_hw_get(&ts_hw_kernel_ops, &fd, ifname, &hw), &hw);
    close(fd);
}

// `n` samples one second apart, each added to the fit.
static int probe_phc(const char *name, int n, int readings)
{
    int err;
    struct phc *phc = phc_open(name, &err);
    struct phc_reg reg;
    if (!phc) {
        printf("phc      %s: %s\n", name, strerror(-err));
        return 1;
    }
    if (phc_set_readings(phc, readings) < 0) {
        phc_close(phc);
        return 2;
    }
    phc_reg_init(&reg, 16);
    for (int i = 0; i < n; i++) {
        struct phc_sample s;
        if (i > 0)
            sleep(1);
        err = phc_sample(phc, &s);
        if (err) {
            printf("sample   %d: %s\n", i, strerror(-err));
            continue;
        }
        phc_reg_add(&reg, &s.phc, &s.sys, s.error_s);
        printf("sample   %d: %s offset %lld ns delay %.0f ns error %.0f ns kept %d/%d", i,
               phc_method_name(s.method), (long long)s.offset_ns, s.delay_s * 1e9, s.error_s * 1e9,
               s.n_kept, s.n_read);
        if (s.has_error_bound)
            printf(" bound %.0f ns", s.error_bound_s * 1e9);
        printf(" freq %+.3f ppm\n", phc_reg_freq_ppm(&reg));
    }
    phc_close(phc);
    return 0;
}

int main(int argc, char **argv)
{
    bool enable = false;
    int n = 5, readings = PHC_DEFAULT_READINGS, opt;
    while ((opt = getopt(argc, argv, "en:r:")) != -1) {
        if (opt == 'e')
            enable = true;
        else if (opt == 'n')
            n = atoi(optarg);
        else if (opt == 'r')
            readings = atoi(optarg);
        else
            return 2;
    }
    if (optind != argc - 1 || n < 1 || readings < 1 || readings > PHC_MAX_READINGS) {
        fprintf(stderr, "usage: hwts-probe [-e] [-n SAMPLES] [-r READINGS 1-25] IFACE|/dev/ptpN\n");
        return 2;
    }
    const char *name = argv[optind];
    if (!strchr(name, '/'))
        probe_interface(name, enable);
    return probe_phc(name, n, readings);
}
