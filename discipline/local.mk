# SPDX-License-Identifier: ISC
# discipline/: libdiscipline.a (filter, selection, loop, clock drivers, drift file).
noinst_LIBRARIES += discipline/libdiscipline.a
discipline_libdiscipline_a_SOURCES =

include discipline/core.mk
include discipline/clock.mk
