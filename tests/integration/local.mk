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
	tests/integration/ipv6.sh \
	tests/integration/single_process.sh \
	tests/integration/nts_tsyncd.sh \
	tests/integration/nts_chronyd.sh \
	tests/integration/nts_ntpsec.sh

TESTS += $(INTEGRATION_TESTS)
dist_check_SCRIPTS += $(INTEGRATION_TESTS) tests/integration/lib.sh tests/lib/deb_fetch.sh \
	tests/integration/hostclock.py tests/integration/sntp.py tests/integration/notify_listen.py \
	tests/integration/nts_lib.sh tests/integration/udp_tamper.py
EXTRA_DIST += tests/integration/README.md
