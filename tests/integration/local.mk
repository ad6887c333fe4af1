# SPDX-License-Identifier: ISC
# tests/integration: end-to-end tests of tsyncd in network namespaces (tests/integration/lib.sh),
# the field report's experiments. They need root and skip (77) otherwise; the host clock is
# never touched (virtual clock driver, and a tripwire in every test).
INTEGRATION_TESTS = \
	tests/integration/e1_step_5min.sh \
	tests/integration/e2_blocked.sh \
	tests/integration/e3_two_tiers.sh \
	tests/integration/e4_panic.sh \
	tests/integration/privsep.sh \
	tests/integration/chronyd_peer.sh \
	tests/integration/xleave_chronyd.sh \
	tests/integration/ipv6.sh \
	tests/integration/single_process.sh \
	tests/integration/auth_rejected.sh \
	tests/integration/auth_chronyd.sh \
	tests/integration/auth_ntpsec.sh \
	tests/integration/metrics_prometheus.sh \
	tests/integration/clockbound.sh \
	tests/integration/vmclock_file.sh \
	tests/integration/ntpq_tools.sh \
	tests/integration/stats_sighup.sh \
	tests/integration/logs.sh \
	tests/integration/sandbox_calls.sh \
	tests/integration/drift_files.sh \
	tests/integration/watchdog.sh \
	tests/integration/gflag.sh \
	tests/integration/sanitizer_lsan.sh \
	tests/integration/nts_tsyncd.sh \
	tests/integration/nts_chronyd.sh \
	tests/integration/nts_ntpsec.sh

TESTS += $(INTEGRATION_TESTS)
dist_check_SCRIPTS += $(INTEGRATION_TESTS) tests/integration/lib.sh tests/lib/deb_fetch.sh \
	tests/integration/hostclock.py tests/integration/sntp.py tests/integration/notify_listen.py \
	tests/integration/ntp_badserver.py \
	tests/integration/http_probe.py tests/integration/clockbound_reader.py \
	tests/integration/vmclock_page.py \
	tests/integration/nts_lib.sh tests/integration/udp_tamper.py
EXTRA_DIST += tests/integration/README.md
