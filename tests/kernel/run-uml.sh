#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The User-Mode Linux kernel suite: see run-bed.sh. usage: run-uml.sh BUILDDIR [GLOB...]
exec "$(dirname "$0")/run-bed.sh" uml "$@"
