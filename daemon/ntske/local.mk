# SPDX-License-Identifier: ISC
# daemon/ntske/: the NTS-KE role (TLS 1.3 over GnuTLS) and tsyncd-ntske, the only program that
# links GnuTLS: `tsyncd-ntske --ntske-role FD ...` is the NTS-KE process that tsyncd executes;
# `tsyncd-ntske --single-process ...` is the whole daemon in one process with the NTS-KE role
# inline (tsyncd itself refuses NTS with --single-process).
TSYNC_NTSKE_SOURCES = daemon/ntske/ntske.h daemon/ntske/ntske_int.h daemon/ntske/ntske_tls.c \
	daemon/ntske/ntske_tls.h daemon/ntske/ntske_session.c daemon/ntske/ntske_role.c \
	daemon/ntske/ntske_main.c daemon/ntske/ntske_main.h
pkglibexec_PROGRAMS = tsyncd-ntske
tsyncd_ntske_SOURCES = $(tsyncd_SOURCES) $(TSYNC_NTSKE_SOURCES)
tsyncd_ntske_CFLAGS = $(tsyncd_CFLAGS) $(GNUTLS_CFLAGS) -DTSYNC_NTSKE_PROGRAM
tsyncd_ntske_LDADD = $(tsyncd_LDADD) $(GNUTLS_LIBS)
