# SPDX-License-Identifier: ISC
# Configuration and command line (daemon/libcore.a) with their tests.
