# SPDX-License-Identifier: BSD-3-Clause
#
#   make demo    install missing Debian packages, build, run the namespace lab demo
#   make check   install missing Debian packages, build, run every test
#   make bench   build, run the forwarding benchmark (ipsecgw vs dpdk-testpmd)
#
# Labs and integration tests need root (network namespaces).  BUILD=dir
# picks another build directory.

BUILD ?= build

.PHONY: all deps build demo check bench clean

all: build

deps:
	@bash test/lab/install-deps.sh

build: deps
	@if [ ! -f $(BUILD)/build.ninja ]; then meson setup $(BUILD); fi
	ninja -C $(BUILD)

demo: build
	bash test/lab/demo.sh $(BUILD)

check: build
	bash test/lab/check.sh $(BUILD)

bench: build
	meson test -C $(BUILD) --benchmark --verbose

clean:
	rm -rf $(BUILD)
