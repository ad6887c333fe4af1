# SPDX-License-Identifier: ISC
# seccomp/: libsandbox.a (credentials, capabilities, chroot, seccomp allow-lists) and its test.
noinst_LIBRARIES += seccomp/libsandbox.a
seccomp_libsandbox_a_SOURCES = seccomp/sandbox.h seccomp/sandbox_int.h seccomp/sandbox_priv.c \
	seccomp/sandbox_filter.c
seccomp_libsandbox_a_CFLAGS = $(AM_CFLAGS) $(LIBSECCOMP_CFLAGS) $(LIBCAPNG_CFLAGS)
# Programs linking libsandbox.a add $(TSYNC_SANDBOX_LIBS).
TSYNC_SANDBOX_LIBS = seccomp/libsandbox.a $(LIBSECCOMP_LIBS) $(LIBCAPNG_LIBS)

check_PROGRAMS += tests/unit/test_sandbox tests/unit/test_sandbox_resolver tests/unit/test_sandbox_priv
TESTS += tests/unit/test_sandbox tests/unit/test_sandbox_resolver tests/unit/test_sandbox_priv
TSYNC_SANDBOX_TEST_UTIL = tests/unit/test_sandbox_util.c tests/unit/test_sandbox_util.h
tests_unit_test_sandbox_SOURCES = tests/unit/test_sandbox.c $(TSYNC_SANDBOX_TEST_UTIL)
tests_unit_test_sandbox_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_sandbox_LDADD = $(TSYNC_SANDBOX_LIBS) $(TSYNC_UNIT_LIBS)
tests_unit_test_sandbox_resolver_SOURCES = tests/unit/test_sandbox_resolver.c \
	$(TSYNC_SANDBOX_TEST_UTIL)
tests_unit_test_sandbox_resolver_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_sandbox_resolver_LDADD = $(TSYNC_SANDBOX_LIBS) $(TSYNC_UNIT_LIBS)
tests_unit_test_sandbox_priv_SOURCES = tests/unit/test_sandbox_priv.c $(TSYNC_SANDBOX_TEST_UTIL)
tests_unit_test_sandbox_priv_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_sandbox_priv_LDADD = $(TSYNC_SANDBOX_LIBS) $(TSYNC_UNIT_LIBS)
