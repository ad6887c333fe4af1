# SPDX-License-Identifier: ISC
# hwts/: sources, programs and unit tests of this directory.
