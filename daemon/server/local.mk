# SPDX-License-Identifier: ISC
# daemon/server/: the NTP server (access control, rate limiting, batched I/O), its tests and
# benchmarks.
TSYNC_SERVER_SOURCES = daemon/server/server.c daemon/server/server.h \
	daemon/server/server_int.h \
	daemon/server/server_reply.c daemon/server/server_auth.c daemon/server/server_io.c \
	daemon/server/server_nts.c daemon/server/server_control.c daemon/server/acl.c \
	daemon/server/acl.h daemon/server/ratelimit.c daemon/server/ratelimit.h $(TSYNC_MODE6_SOURCES)
TSYNC_MODE6_SOURCES = daemon/server/mode6.c daemon/server/mode6.h daemon/server/mode6_int.h \
	daemon/server/mode6_vars.c
tsyncd_SOURCES += $(TSYNC_SERVER_SOURCES) daemon/server/server_workers.c

check_PROGRAMS += tests/unit/test_acl tests/unit/test_ratelimit tests/unit/test_server \
	tests/unit/test_server_auth tests/unit/test_mode6
TESTS += tests/unit/test_acl tests/unit/test_ratelimit tests/unit/test_server \
	tests/unit/test_server_auth tests/unit/test_mode6
tests_unit_test_mode6_SOURCES = tests/unit/test_mode6.c $(TSYNC_MODE6_SOURCES)
tests_unit_test_mode6_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_mode6_LDADD = daemon/libcore.a discipline/libdiscipline.a $(TSYNC_UNIT_LIBS)
tests_unit_test_acl_SOURCES = tests/unit/test_acl.c daemon/server/acl.c daemon/server/acl.h
tests_unit_test_acl_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_acl_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_ratelimit_SOURCES = tests/unit/test_ratelimit.c daemon/server/ratelimit.c \
	daemon/server/ratelimit.h
tests_unit_test_ratelimit_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_ratelimit_LDADD = $(TSYNC_UNIT_LIBS)
tests_unit_test_server_SOURCES = tests/unit/test_server.c $(TSYNC_SERVER_SOURCES)
tests_unit_test_server_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_server_LDADD = daemon/libnts.a daemon/libcore.a discipline/libdiscipline.a \
	$(HWTS_LIBS) $(TSYNC_UNIT_LIBS)

tests_unit_test_server_auth_SOURCES = tests/unit/test_server_auth.c $(TSYNC_SERVER_SOURCES)
tests_unit_test_server_auth_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_server_auth_LDADD = daemon/libnts.a daemon/libcore.a discipline/libdiscipline.a \
	$(HWTS_LIBS) $(TSYNC_UNIT_LIBS)

# Benchmarks (tests/bench/server-bench.sh runs them): not part of `make check`.
noinst_PROGRAMS += tests/bench/ntpload tests/bench/bare-responder
tests_bench_ntpload_SOURCES = tests/bench/ntpload.c
tests_bench_ntpload_LDADD = -lm
tests_bench_bare_responder_SOURCES = tests/bench/bare-responder.c

SERVER_INTEGRATION_TESTS = \
	tests/integration/server_kod.sh \
	tests/integration/server_malformed.sh \
	tests/integration/server_flood.sh \
	tests/integration/server_workers.sh \
	tests/integration/server_clients.sh
TESTS += $(SERVER_INTEGRATION_TESTS)
dist_check_SCRIPTS += $(SERVER_INTEGRATION_TESTS) tests/bench/server-bench.sh
