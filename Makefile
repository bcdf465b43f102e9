# PhaseMask — the two commands on a fresh machine: `make design` and `make test`.
SHELL := /bin/bash
PACKAGES := libopenblas-dev libfftw3-dev libhdf5-dev zlib1g-dev libpng-dev libtiff-dev libopenmpi-dev openmpi-bin dataset-fashion-mnist
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE := .build/release/phasemask

.PHONY: setup build release test design design-general bench clean fuzz

## setup: install the Debian packages PhaseMask links against (only those missing)
setup:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make setup: installing$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	else echo "make setup: system packages present"; fi

build: setup
	swift build

release: setup
	swift build -c release

## test: the unit and integration tests (debug build, tiny sizes)
test: setup
	swift test

## design: release build, then the main job (quick preset: teacher → student → quantize → fine-tune →
## export into masks/ → verify), printing the results table
design: release
	$(RELEASE) design

## design-general: the general design shipped beside it (masks/general*), trained on every procedural
## scene kind instead of FashionMNIST (docs/scenes.md); needs no dataset
design-general: release
	$(RELEASE) design --data synthetic:smooth,zernike,blobs,polygons,steps --name general --work runs/design-general

## bench: benchmarks in release mode
bench: release
	$(RELEASE) bench kernels
	$(RELEASE) bench optics
	$(RELEASE) bench unet
	$(RELEASE) bench train --snapshots 9
	$(RELEASE) bench train --snapshots 1
	$(RELEASE) bench simulate
	$(RELEASE) bench scaling

clean:
	rm -rf .build

## fuzz: libFuzzer + AddressSanitizer on every file reader (Fuzz/, a separate package), FUZZ_SECONDS each
## (default 60), seeded from Tests/Corpus; prints execs, time and crashes per reader. Not part of `make test`.
FUZZ_SECONDS ?= 60
fuzz: setup
	cd Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
	FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run.sh
