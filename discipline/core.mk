# SPDX-License-Identifier: ISC
# Filter, selection, combining, loop and step policy, with their tests.
TSYNC_DISC_CORE_SOURCES = \
	discipline/discipline.h discipline/disc_internal.h \
	discipline/discipline.c discipline/disc_update.c discipline/disc_status.c \
	discipline/sample.h discipline/sample.c \
	discipline/filter.h discipline/filter.c \
	discipline/select.h discipline/select.c \
	discipline/loop.h discipline/loop.c
discipline_libdiscipline_a_SOURCES += $(TSYNC_DISC_CORE_SOURCES)
EXTRA_DIST += discipline/DESIGN.md
