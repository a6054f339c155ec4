#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Install the Debian 12 packages ipsecgw needs to build and test, with
# apt-get, only when something is missing (a repeat run costs one dpkg-query).
#
#   test/lab/install-deps.sh

set -euo pipefail

BUILD_DEPS=(meson ninja-build pkg-config gcc libdpdk-dev dpdk dpdk-dev libconfig-dev
	libcunit1-dev libssl-dev libipsec-mb-dev libpcap-dev)
# python3-cryptography: scapy's ESP needs it and it is only a Recommends
# of python3-scapy (the differential test's AES-GCM/CBC come from it).
TEST_DEPS=(iproute2 ethtool iputils-ping python3-scapy python3-cryptography tcpdump valgrind clang
	libclang-rt-14-dev openssl
	# strongSwan as the interop peer (test/lab/swan.sh); the openssl and gcm
	# plugins are in libstrongswan-standard-plugins.
	strongswan-swanctl charon-systemd libcharon-extra-plugins
	libstrongswan-extra-plugins libstrongswan-standard-plugins)

missing=()
for pkg in "${BUILD_DEPS[@]}" "${TEST_DEPS[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
	echo "deps: all ${#BUILD_DEPS[@]} build and ${#TEST_DEPS[@]} test packages installed"
	exit 0
fi

echo "deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "deps: need root to install packages (or install them yourself)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
