# SPDX-License-Identifier: ISC
# NTP codec and logging (daemon/libcore.a) with their tests.
