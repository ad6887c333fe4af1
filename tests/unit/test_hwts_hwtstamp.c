// SPDX-License-Identifier: ISC
// hwts/hwtstamp: filter negotiation against fake devices (hardware present, RX refused, TX only,
// RX only, no hardware, no permission, no SIOCGHWTSTAMP) and the real ioctl on loopback.

#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include "hwts/hwtstamp.h"
#include "hwts/tsinfo.h"

// A NIC driver model.
struct fake_nic {
    int set_error;        // error for every SIOCSHWTSTAMP (no hardware, no permission), or 0
    bool rx_capable;      // RX filters other than NONE are accepted (else ERANGE)
    bool tx_capable;      // TX_ON is accepted (else ERANGE)
    bool widen_to_all;    // every RX filter but NONE is granted as ALL (ENA, many drivers)
    bool get_unsupported; // SIOCGHWTSTAMP fails with EOPNOTSUPP (old drivers)
    struct hwtstamp_config current;
    int n_set;                          // SIOCSHWTSTAMP calls
    struct hwtstamp_config requests[8]; // what they asked for
};

static int fake_ioctl(void *ctx, const char *ifname, unsigned long request,
                      struct hwtstamp_config *cfg)
{
    struct fake_nic *nic = ctx;
    assert_string_equal(ifname, "eth0");
    if (request == SIOCGHWTSTAMP) {
        if (nic->get_unsupported)
            return -EOPNOTSUPP;
        *cfg = nic->current;
        return 0;
    }
    assert_int_equal(request, SIOCSHWTSTAMP);
    assert_true(nic->n_set < 8);
    nic->requests[nic->n_set++] = *cfg;
    if (nic->set_error)
        return nic->set_error;
    if ((cfg->rx_filter != HWTSTAMP_FILTER_NONE && !nic->rx_capable) ||
        (cfg->tx_type == HWTSTAMP_TX_ON && !nic->tx_capable))
        return -ERANGE;
    if (cfg->rx_filter != HWTSTAMP_FILTER_NONE && nic->widen_to_all)
        cfg->rx_filter = HWTSTAMP_FILTER_ALL;
    nic->current = *cfg;
    return 0;
}

static const struct ts_hw_ops fake_ops = {.ioctl = fake_ioctl};

static void assert_request(const struct fake_nic *nic, int i, int tx_type, int rx_filter)
{
    assert_int_equal(nic->requests[i].tx_type, tx_type);
    assert_int_equal(nic->requests[i].rx_filter, rx_filter);
}

static void test_hardware_present_ntp_all_granted_as_all(void **state)
{
    struct fake_nic nic = {.rx_capable = true, .tx_capable = true, .widen_to_all = true};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", NULL, &hw), 0);
    assert_int_equal(nic.n_set, 1);
    assert_request(&nic, 0, HWTSTAMP_TX_ON, HWTSTAMP_FILTER_NTP_ALL);
    assert_int_equal(hw.rx_filter, HWTSTAMP_FILTER_ALL);
    assert_true(hw.rx);
    assert_true(hw.tx);
}

static void test_ntp_all_kept_when_driver_grants_it(void **state)
{
    struct fake_nic nic = {.rx_capable = true, .tx_capable = true};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", NULL, &hw), 0);
    assert_int_equal(hw.rx_filter, HWTSTAMP_FILTER_NTP_ALL);
    assert_true(hw.rx);
}

// igb: every RX filter refused with ERANGE: TX-only hardware stamping.
static void test_rx_refused_gives_tx_only(void **state)
{
    struct fake_nic nic = {.tx_capable = true};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", NULL, &hw), 0);
    assert_int_equal(nic.n_set, 3);
    assert_request(&nic, 0, HWTSTAMP_TX_ON, HWTSTAMP_FILTER_NTP_ALL);
    assert_request(&nic, 1, HWTSTAMP_TX_ON, HWTSTAMP_FILTER_ALL);
    assert_request(&nic, 2, HWTSTAMP_TX_ON, HWTSTAMP_FILTER_NONE);
    assert_true(hw.tx);
    assert_false(hw.rx);
    assert_int_equal(hw.rx_filter, HWTSTAMP_FILTER_NONE);
}

// Capabilities that advertise TX only: the RX filters are not even tried.
static void test_tx_only_caps_skip_rx_filters(void **state)
{
    struct fake_nic nic = {.tx_capable = true, .rx_capable = true};
    struct ts_info caps = {.so_timestamping =
                               SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE,
                           .tx_types = (1u << HWTSTAMP_TX_OFF) | (1u << HWTSTAMP_TX_ON),
                           .rx_filters = 1u << HWTSTAMP_FILTER_NONE,
                           .phc_index = 0};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", &caps, &hw), 0);
    assert_int_equal(nic.n_set, 1);
    assert_request(&nic, 0, HWTSTAMP_TX_ON, HWTSTAMP_FILTER_NONE);
    assert_true(hw.tx);
    assert_false(hw.rx);
}

// ENA RX-only: RX_HARDWARE without RAW_HARDWARE, filters NONE|ALL, no TX_ON.
static void test_ena_rx_only_caps(void **state)
{
    struct fake_nic nic = {.rx_capable = true, .widen_to_all = true};
    struct ts_info caps = {.so_timestamping = SOF_TIMESTAMPING_RX_HARDWARE,
                           .tx_types = 1u << HWTSTAMP_TX_OFF,
                           .rx_filters = (1u << HWTSTAMP_FILTER_NONE) | (1u << HWTSTAMP_FILTER_ALL),
                           .phc_index = 0};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", &caps, &hw), 0);
    assert_int_equal(nic.n_set, 1);
    assert_request(&nic, 0, HWTSTAMP_TX_OFF, HWTSTAMP_FILTER_ALL);
    assert_true(hw.rx);
    assert_false(hw.tx);
}

// Without capabilities, an RX-only device is found after the TX combinations are refused.
static void test_rx_only_without_caps(void **state)
{
    struct fake_nic nic = {.rx_capable = true};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", NULL, &hw), 0);
    assert_int_equal(nic.n_set, 4);
    assert_request(&nic, 3, HWTSTAMP_TX_OFF, HWTSTAMP_FILTER_NTP_ALL);
    assert_true(hw.rx);
    assert_false(hw.tx);
}

static void test_no_hardware(void **state)
{
    struct fake_nic nic = {.set_error = -EOPNOTSUPP};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", NULL, &hw), -EOPNOTSUPP);
    assert_int_equal(nic.n_set, 1);
    assert_false(hw.tx);
    assert_false(hw.rx);
}

static void test_no_hardware_by_caps_makes_no_call(void **state)
{
    struct fake_nic nic = {.tx_capable = true, .rx_capable = true};
    struct ts_info caps = {.so_timestamping = SOF_TIMESTAMPING_SOFTWARE, .phc_index = -1};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", &caps, &hw), -EOPNOTSUPP);
    assert_int_equal(nic.n_set, 0);
}

static void test_no_permission(void **state)
{
    struct fake_nic nic = {.set_error = -EPERM};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", NULL, &hw), -EPERM);
    assert_int_equal(nic.n_set, 1);
}

static void test_every_combination_refused(void **state)
{
    struct fake_nic nic = {0};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", NULL, &hw), -ERANGE);
    assert_int_equal(nic.n_set, 5);
}

// Drivers without SIOCGHWTSTAMP: the configuration written back by SIOCSHWTSTAMP is used.
static void test_granted_config_from_write_back(void **state)
{
    struct fake_nic nic = {
        .rx_capable = true, .tx_capable = true, .widen_to_all = true, .get_unsupported = true};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_enable(&fake_ops, &nic, "eth0", NULL, &hw), 0);
    assert_int_equal(hw.rx_filter, HWTSTAMP_FILTER_ALL);
    assert_int_equal(hw.tx_type, HWTSTAMP_TX_ON);
    assert_int_equal(ts_hw_get(&fake_ops, &nic, "eth0", &hw), -EOPNOTSUPP);
}

static void test_get_reads_current(void **state)
{
    struct fake_nic nic = {
        .current = {.tx_type = HWTSTAMP_TX_ON, .rx_filter = HWTSTAMP_FILTER_PTP_V2_EVENT}};
    struct ts_hw_state hw;
    assert_int_equal(ts_hw_get(&fake_ops, &nic, "eth0", &hw), 0);
    assert_true(hw.tx);
    assert_false(hw.rx); // PTP-only filters do not stamp NTP packets
    assert_int_equal(hw.rx_filter, HWTSTAMP_FILTER_PTP_V2_EVENT);
}

// Loopback has no hardware stamping: EOPNOTSUPP with CAP_NET_ADMIN, EPERM without it.
static void test_real_loopback(void **state)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ts_hw_state hw;
    assert_true(fd >= 0);
    int err = ts_hw_enable(&ts_hw_kernel_ops, &fd, "lo", NULL, &hw);
    assert_true(err == -EOPNOTSUPP || err == -EPERM);
    assert_false(hw.tx || hw.rx);
    assert_int_equal(ts_hw_get(&ts_hw_kernel_ops, &fd, "lo", &hw), -EOPNOTSUPP);
    assert_int_equal(ts_hw_get(&ts_hw_kernel_ops, &fd, "tsyncd-none0", &hw), -ENODEV);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hardware_present_ntp_all_granted_as_all),
        cmocka_unit_test(test_ntp_all_kept_when_driver_grants_it),
        cmocka_unit_test(test_rx_refused_gives_tx_only),
        cmocka_unit_test(test_tx_only_caps_skip_rx_filters),
        cmocka_unit_test(test_ena_rx_only_caps),
        cmocka_unit_test(test_rx_only_without_caps),
        cmocka_unit_test(test_no_hardware),
        cmocka_unit_test(test_no_hardware_by_caps_makes_no_call),
        cmocka_unit_test(test_no_permission),
        cmocka_unit_test(test_every_combination_refused),
        cmocka_unit_test(test_granted_config_from_write_back),
        cmocka_unit_test(test_get_reads_current),
        cmocka_unit_test(test_real_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
