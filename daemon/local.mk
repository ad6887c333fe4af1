# SPDX-License-Identifier: ISC
# daemon/: sources, programs and unit tests of this directory.
sbin_PROGRAMS += tsyncd
tsyncd_SOURCES = daemon/main.c
