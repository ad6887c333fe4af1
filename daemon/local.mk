# SPDX-License-Identifier: ISC
# daemon/: libcore.a (codec, logging, configuration, command line, messages) and the programs.
noinst_LIBRARIES += daemon/libcore.a
daemon_libcore_a_SOURCES = daemon/msg.c daemon/msg.h

include daemon/proto.mk
include daemon/config.mk
include daemon/ctl.mk

sbin_PROGRAMS += tsyncd
tsyncd_SOURCES = daemon/main.c
tsyncd_LDADD = daemon/libcore.a -lm
