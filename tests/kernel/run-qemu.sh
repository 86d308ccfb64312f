#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The qemu (TCG, Debian 6.1 kernel) kernel suite: see run-bed.sh. usage: run-qemu.sh BUILDDIR [GLOB...]
exec "$(dirname "$0")/run-bed.sh" qemu "$@"
