# berth — an OCI container runtime in C.
#   make            build build/berth
#   make deps       apt-get install whatever Debian package is missing
#   make demo       deps + build + run a busybox container
#   make check      deps + build + every test (unit, integration, the
#                   cgroup v2 VM)
#   make bench      berth vs crun, runc and a floor program (docs/performance.md)
#   make install    binary, man pages, bash completion: PREFIX=/usr/local DESTDIR=
#   make uninstall  remove exactly what make install put there
#   make man        the man pages, build/man/*.1 (from docs/berth.1.md)
#   make dist       build/berth-VERSION.tar.gz: git archive + VERSION file
#   make deb        the Debian package (debian/), into build-deb/
#   make lint       clang-format, layering and size checks (part of check)
#   make crash-build  build-crash/berth with crash points (tests only)
#   make fuzz       the libFuzzer targets of tests/fuzz/, FUZZ_SECONDS each
#   make check-sanitize  unit + integration suites on an ASan/UBSan build

SHELL := /bin/bash
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
# The version before the first release tag.
BASE_VERSION := 0.1.0

# The version and commit berth is built from, for `berth --version`
# (engines show them). A release tarball (make dist) has a VERSION file:
# its line 1 is the version, line 2 the commit. In a git clone: `git
# describe` of the last vX.Y.Z tag without the v (X.Y.Z on the tag,
# X.Y.Z-N-gHASH after it; BASE_VERSION-gHASH before any tag) and HEAD,
# both "-dirty" with uncommitted changes. Else BASE_VERSION and no commit.
# make VERSION=... COMMIT=... overrides both.
ifneq ($(wildcard VERSION),)
VERSION ?= $(shell sed -n 1p VERSION)
COMMIT ?= $(shell sed -n 2p VERSION)
endif
ifeq ($(origin VERSION),undefined)
VERSION := $(shell git describe --tags --match 'v[0-9]*' --abbrev=12 --dirty 2>/dev/null | sed 's/^v//')
ifeq ($(VERSION),)
VERSION := $(shell git describe --always --abbrev=12 --dirty 2>/dev/null | sed 's/^/$(BASE_VERSION)-g/')
endif
ifeq ($(VERSION),)
VERSION := $(BASE_VERSION)
endif
endif
ifeq ($(origin COMMIT),undefined)
COMMIT := $(shell git rev-parse --verify -q HEAD 2>/dev/null)
ifneq ($(COMMIT),)
COMMIT := $(COMMIT)$(shell git diff --quiet HEAD -- 2>/dev/null || echo -dirty)
endif
endif

CC ?= cc
# The installed (stripped) binary is kept small: the sealed re-exec copies
# and maps it on every create, run and exec (docs/performance.md).  -Oz
# (GCC 12) and -fno-caller-saves by default: 8 KB under -Os, the same speed
# within this machine's noise in an interleaved A/B; the section flags and
# the linker's garbage collection always,
# also under the CFLAGS and LDFLAGS a package build sets; relative
# relocations packed (DT_RELR, glibc 2.36): 30 KB less, and less for the
# dynamic loader to do on every exec.
# Compilers without them (GCC before 12, clang) get -Os.
SIZE_OPT := $(shell $(CC) -Oz -fno-caller-saves -Werror -x c -c /dev/null \
	-o /dev/null 2>/dev/null && echo -Oz -fno-caller-saves || echo -Os)
CFLAGS ?= $(SIZE_OPT) -g
SIZE_CFLAGS := -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
SIZE_LDFLAGS := -Wl,--gc-sections -Wl,-O1 -Wl,--as-needed -Wl,-z,pack-relative-relocs
WARN := -std=gnu17 -Wall -Wextra -Wshadow -Wformat=2 -Werror
DEPLIBS := libseccomp libcap jansson libmnl
PKG_CFLAGS = $(shell pkg-config --cflags $(DEPLIBS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(DEPLIBS) 2>/dev/null || echo -lseccomp -lcap -ljansson -lmnl)
ALL_CFLAGS = $(WARN) $(CPPFLAGS) $(CFLAGS) $(SIZE_CFLAGS) -D_GNU_SOURCE -I. $(PKG_CFLAGS) -MMD -MP

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
	iproute2 util-linux procps clang-format time attr uidmap criu
# The engines the integration tests drive with berth as their runtime
# (tests/integration/engine_*.bats, containerd.bats, docker.bats;
# docs/engines*.md). podman brings conmon, netavark, containers-common;
# catatonit is what its pod infra image is built from, offline.
ENGINE_PKGS := podman catatonit
DEB_PKGS += $(ENGINE_PKGS)
# sandbox.bats' Debian rootfs with gcc and make (tests/integration/mkdebroot.sh,
# cached as build/debroot); python3 is the sandboxed tests' network peer.
SANDBOX_PKGS := debootstrap python3
DEB_PKGS += $(SANDBOX_PKGS)
# containerd and dockerd, installed without recommends (apparmor,
# needrestart, cgroupfs-mount). Where an init system runs, apt starts
# docker.service; the tests use daemons of their own either way.
ENGINE_NORECS_PKGS := containerd docker.io

.PHONY: all deps demo check unit integration bench install uninstall man \
	dist deb version clean format \
	format-check lint rootfs crash-build fuzz fuzz-check fuzz-build fuzz-bins \
	check-sanitize sanitize-build FORCE

all: $(BUILD)/berth man

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Only cmd/main.c and cmd/info.c see the version and the commit; the stamp
# changes (and they are rebuilt) only when one of the two does.
$(BUILD)/commit: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION) $(COMMIT)' >$@.tmp; cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(BUILD)/obj/cmd/main.o $(BUILD)/obj/cmd/info.o: $(BUILD)/commit
$(BUILD)/obj/cmd/main.o $(BUILD)/obj/cmd/info.o: ALL_CFLAGS += \
	-DBERTH_VERSION='"$(VERSION)"' -DBERTH_COMMIT='"$(COMMIT)"'

$(BUILD)/libberth.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/berth: $(CMD_OBJS) $(BUILD)/libberth.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(SIZE_LDFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/libberth.a $(PKG_LIBS)

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
BENCH_PKGS := crun runc bubblewrap

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

# ---- man pages, completion, install (docs/man/README.md) ----
# The man pages (docs/man/mkman.sh: go-md2man, groff's preconv; man-db
# for the tests' man -l, man -w).
DEB_PKGS += go-md2man man-db groff-base
# What make deb and its test need (debian/control's Build-Depends are in
# DEB_PKGS): debhelper, lintian; bash-completion, whose loader the test
# checks finds the installed completion.
DEBIAN_PKGS := debhelper lintian dpkg-dev bash-completion
DEB_PKGS += $(DEBIAN_PKGS)
# berth(1) and berth-CMD(1) for every "### CMD" of docs/berth.1.md's
# COMMANDS.
# The level-3 headings of COMMANDS; "#" through a variable, since make
# hands "\#" to awk as it is inside $(shell) (gawk warns about it).
HASH := \#
MAN_PAGES := berth.1 $(shell awk '/^## /{c=($$0=="## COMMANDS")} \
	c && /^$(HASH)$(HASH)$(HASH) /{print "berth-" $$2 ".1"}' docs/berth.1.md)
MAN_OUT := $(MAN_PAGES:%=$(BUILD)/man/%)

man: $(BUILD)/man/.stamp

$(BUILD)/man/.stamp: docs/berth.1.md docs/man/mkman.sh $(BUILD)/commit
	docs/man/mkman.sh docs/berth.1.md $(BUILD)/man '$(VERSION)'
	@touch $@

BINDIR = $(PREFIX)/bin
MAN1DIR = $(PREFIX)/share/man/man1
COMPLETIONDIR = $(PREFIX)/share/bash-completion/completions

install: all
	install -D -m 0755 $(BUILD)/berth $(DESTDIR)$(BINDIR)/berth
	install -d $(DESTDIR)$(MAN1DIR)
	install -m 0644 $(MAN_OUT) $(DESTDIR)$(MAN1DIR)/
	install -D -m 0644 completion/berth.bash $(DESTDIR)$(COMPLETIONDIR)/berth

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/berth $(DESTDIR)$(COMPLETIONDIR)/berth \
		$(MAN_PAGES:%=$(DESTDIR)$(MAN1DIR)/%)

# ---- releases: make dist, make deb ----
# build/berth-VERSION.tar.gz: HEAD's tree (git archive) plus a VERSION
# file (version, commit), so that make && make install work without git.
# (The version is HEAD's: uncommitted changes are not in the tarball.)
DIST := berth-$(VERSION:-dirty=)
DIST_DIR ?= $(BUILD)
dist:
	rm -rf $(DIST_DIR)/dist && mkdir -p $(DIST_DIR)/dist/$(DIST)
	printf '%s\n%s\n' '$(VERSION:-dirty=)' '$(COMMIT:-dirty=)' \
		>$(DIST_DIR)/dist/$(DIST)/VERSION
	git archive --format=tar --prefix=$(DIST)/ HEAD >$(DIST_DIR)/dist/berth.tar
	tar -C $(DIST_DIR)/dist -rf $(DIST_DIR)/dist/berth.tar $(DIST)/VERSION
	gzip -9n <$(DIST_DIR)/dist/berth.tar >$(DIST_DIR)/$(DIST).tar.gz
	rm -rf $(DIST_DIR)/dist
	@echo $(DIST_DIR)/$(DIST).tar.gz

# What --version will say: "VERSION COMMIT".
version:
	@echo '$(VERSION) $(COMMIT)'

# The Debian package, built (dpkg-buildpackage -us -uc -b) in a copy of
# the tracked files as they are now (plus VERSION), in $(DEB_BUILD)/src:
# the .deb, .buildinfo and .changes land in $(DEB_BUILD), the worktree
# stays clean. Then lintian (errors fail the build). The package's make
# must not inherit this make's command line (DEB_BUILD=, DESTDIR=...),
# which make puts in the environment too.
DEB_BUILD ?= build-deb
deb:
	$(call apt_install,$(DEBIAN_PKGS))
	rm -rf $(DEB_BUILD) && mkdir -p $(DEB_BUILD)/src
	git ls-files -z | xargs -0 cp -a --parents -t $(DEB_BUILD)/src
	printf '%s\n%s\n' '$(VERSION)' '$(COMMIT)' >$(DEB_BUILD)/src/VERSION
	cd $(DEB_BUILD)/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		-u DEB_BUILD -u DESTDIR -u PREFIX -u BUILD -u VERSION -u COMMIT \
		dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_BUILD)/src
	lintian --fail-on error $(DEB_BUILD)/*.changes
	@ls $(DEB_BUILD)/*.deb

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

# clang-format, the layering rule and the size rules (tests/lint/)
lint: format-check
	@tests/lint/layers.sh
	@tests/lint/sizes.sh

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(SAN_BUILD) build-deb

# the cgroup v2 test VM: vm-setup, vm-check, vm-clean (tests/vm/README.md)
include tests/vm/vm.mk

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(UNIT_BINS:=.d) \
	$(wildcard $(BUILD)/obj/tests/fuzz/*.d)
