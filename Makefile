# berth — an OCI container runtime in C.
#   make            build build/berth
#   make deps       apt-get install whatever Debian package is missing
#   make demo       deps + build + run a busybox container
#   make check      deps + build + every test (unit, integration, the
#                   cgroup v2 VM)
#   make bench      berth vs crun vs runc, 100 sequential `run` of /bin/true
#   make install    PREFIX=/usr/local DESTDIR=
#   make lint       clang-format, layering and size checks (part of check)
#   make crash-build  build-crash/berth with crash points (tests only)
#   make fuzz       the libFuzzer targets of tests/fuzz/, FUZZ_SECONDS each
#   make check-sanitize  unit + integration suites on an ASan/UBSan build

SHELL := /bin/bash
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
VERSION := 0.1.0

# The commit berth is built from, for `berth --version` (engines show it):
# git's HEAD, "-dirty" with uncommitted changes; empty outside a clone, or
# set it: make COMMIT=...
ifeq ($(origin COMMIT),undefined)
COMMIT := $(shell git rev-parse --verify -q HEAD 2>/dev/null)
ifneq ($(COMMIT),)
COMMIT := $(COMMIT)$(shell git diff --quiet HEAD -- 2>/dev/null || echo -dirty)
endif
endif

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -std=gnu17 -Wall -Wextra -Wshadow -Wformat=2 -Werror
DEPLIBS := libseccomp libcap jansson libmnl
PKG_CFLAGS = $(shell pkg-config --cflags $(DEPLIBS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(DEPLIBS) 2>/dev/null || echo -lseccomp -lcap -ljansson -lmnl)
ALL_CFLAGS = $(WARN) $(CFLAGS) -D_GNU_SOURCE -DBERTH_VERSION='"$(VERSION)"' \
	-I. $(PKG_CFLAGS) -MMD -MP

# The test-only crash build (util/crash.h): make crash-build, or
# make BUILD=build-crash CRASH_POINTS=1.  Never install it.
CRASH_BUILD ?= build-crash
ifeq ($(CRASH_POINTS),1)
ALL_CFLAGS += -DBERTH_CRASH_POINTS
endif

LIB_SRCS := $(sort $(wildcard util/*.c oci/*.c namespaces/*.c cgroups/*.c runtime/*.c runtime/*/*.c))
CMD_SRCS := $(sort $(wildcard cmd/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

# Debian packages the build, the tests, the demo and the benchmark need.
DEB_PKGS := build-essential pkg-config libseccomp-dev libcap-dev \
	libjansson-dev libmnl-dev libcriterion-dev bats jq busybox-static \
	iproute2 util-linux procps clang-format time attr criu
# The engines the integration tests drive with berth as their runtime
# (tests/integration/engine_*.bats, containerd.bats, docker.bats;
# docs/engines*.md). podman brings conmon, netavark, containers-common;
# catatonit is what its pod infra image is built from, offline.
ENGINE_PKGS := podman catatonit
DEB_PKGS += $(ENGINE_PKGS)
# containerd and dockerd, installed without recommends (apparmor,
# needrestart, cgroupfs-mount). Where an init system runs, apt starts
# docker.service; the tests use daemons of their own either way.
ENGINE_NORECS_PKGS := containerd docker.io

.PHONY: all deps demo check unit integration bench install clean format \
	format-check lint rootfs crash-build fuzz fuzz-check fuzz-build fuzz-bins \
	check-sanitize sanitize-build FORCE

all: $(BUILD)/berth

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Only cmd/main.c sees the commit; the stamp changes (and main.o is rebuilt)
# only when the commit does.
$(BUILD)/commit: FORCE
	@mkdir -p $(dir $@)
	@echo '$(COMMIT)' >$@.tmp; cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(BUILD)/obj/cmd/main.o: $(BUILD)/commit
$(BUILD)/obj/cmd/main.o: ALL_CFLAGS += -DBERTH_COMMIT='"$(COMMIT)"'

$(BUILD)/libberth.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/berth: $(CMD_OBJS) $(BUILD)/libberth.a
	$(CC) $(CFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/libberth.a $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libberth.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libberth.a $(PKG_LIBS) -lcriterion

# apt-get install (with the options $(2)) whatever of the packages $(1) is
# missing (nothing when all are there).
define apt_install
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) $$missing; \
	fi
endef

deps:
	$(call apt_install,$(DEB_PKGS))
	$(call apt_install,$(ENGINE_NORECS_PKGS),--no-install-recommends)

rootfs: all
	tests/integration/mkrootfs.sh $(BUILD)/rootfs

demo: deps
	$(MAKE) all
	tests/demo.sh $(BUILD)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t --jobs 1; done

# TAP goes to build/integration.tap too; the last line sums it up.
# crash.bats needs the crash build next to the normal one.
crash-build:
	$(MAKE) BUILD=$(CRASH_BUILD) CRASH_POINTS=1 all

integration: all crash-build
	@set -o pipefail; bats --print-output-on-failure tests/integration \
		| tee $(BUILD)/integration.tap; rc=$$?; \
	awk '/^ok .* # skip/ { s++; next } /^ok / { p++ } /^not ok / { f++ } \
		END { printf "integration: %d passed, %d failed, %d skipped\n", p, f, s }' \
		$(BUILD)/integration.tap; exit $$rc

check: deps
	$(MAKE) all
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) fuzz-check
	$(MAKE) check-sanitize
	$(MAKE) vm-check

# The runtimes the benchmark compares berth with.
BENCH_PKGS := crun runc

bench: deps
	$(call apt_install,$(BENCH_PKGS))
	$(MAKE) all
	tests/bench/bench.sh $(BUILD)

# ---- fuzzing (tests/fuzz/README.md) ----
# libFuzzer comes with clang's runtime libraries (Debian: libclang-rt-14-dev,
# pulled by libclang-rt-dev).  The library is built apart, in
# $(FUZZ_BUILD), instrumented for coverage, ASan and UBSan.
FUZZ_PKGS := clang libclang-rt-dev
FUZZ_BUILD := build-fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link \
	$(FUZZ_SAN)
FUZZ_TARGETS := config state resources process
FUZZ_SECONDS ?= 60
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

fuzz-build:
	$(call apt_install,$(FUZZ_PKGS))
	$(MAKE) all
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang CFLAGS='$(FUZZ_CFLAGS)' fuzz-bins
	tests/fuzz/seeds.sh $(BUILD)/berth $(FUZZ_BUILD)/seeds

fuzz-bins: $(FUZZ_BINS)

$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o \
		$(BUILD)/obj/tests/fuzz/fuzz_common.o $(BUILD)/libberth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

# Each target for FUZZ_SECONDS on its corpus: new inputs go to
# $(FUZZ_BUILD)/corpus/<target>, a crash to $(FUZZ_BUILD)/crash-<target>-*.
fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# What `make check` runs: 30 s per target.
fuzz-check:
	$(MAKE) fuzz FUZZ_SECONDS=30

# ---- sanitizers ----
# berth and the unit tests built with gcc's ASan + UBSan in $(SAN_BUILD);
# the unit suite, then the integration suite on that berth.  A report
# fails the run (tests/sanitize.sh says which tests are skipped and why).
SAN_BUILD := build-san
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined

sanitize-build: deps
	$(MAKE) BUILD=$(SAN_BUILD) CFLAGS='$(SAN_CFLAGS)' all \
		$(UNIT_SRCS:tests/unit/%.c=$(SAN_BUILD)/tests/%)

check-sanitize: sanitize-build
	$(MAKE) rootfs
	tests/sanitize.sh $(SAN_BUILD)

install: all
	install -D -m 0755 $(BUILD)/berth $(DESTDIR)$(PREFIX)/bin/berth
	@if [ -d $(BUILD)/man ]; then for m in $(BUILD)/man/*.1; do \
		install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man1/$$(basename $$m); done; fi

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

# clang-format, the layering rule and the size rules (tests/lint/)
lint: format-check
	@tests/lint/layers.sh
	@tests/lint/sizes.sh

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(SAN_BUILD)

# the cgroup v2 test VM: vm-setup, vm-check, vm-clean (tests/vm/README.md)
include tests/vm/vm.mk

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(UNIT_BINS:=.d) \
	$(wildcard $(BUILD)/obj/tests/fuzz/*.d)
