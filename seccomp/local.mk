# SPDX-License-Identifier: ISC
# seccomp/: libsandbox.a (credentials, capabilities, chroot, seccomp allow-lists) and its test.
noinst_LIBRARIES += seccomp/libsandbox.a
seccomp_libsandbox_a_SOURCES = seccomp/sandbox.h seccomp/sandbox_int.h seccomp/sandbox_priv.c \
	seccomp/sandbox_filter.c
seccomp_libsandbox_a_CFLAGS = $(AM_CFLAGS) $(LIBSECCOMP_CFLAGS) $(LIBCAPNG_CFLAGS)
# Programs linking libsandbox.a add $(TSYNC_SANDBOX_LIBS).
TSYNC_SANDBOX_LIBS = seccomp/libsandbox.a $(LIBSECCOMP_LIBS) $(LIBCAPNG_LIBS)

check_PROGRAMS += tests/unit/test_sandbox
TESTS += tests/unit/test_sandbox
tests_unit_test_sandbox_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_sandbox_LDADD = $(TSYNC_SANDBOX_LIBS) $(TSYNC_UNIT_LIBS)
