# tests/vm/vm.mk — berth's cgroup v2 test VM. Included by the Makefile
# (`include tests/vm/vm.mk`); uses its BUILD, `deps` and `rootfs`.
#
#   make vm-setup    apt-get install qemu-system-x86 & co., fetch the Debian
#                    6.1 kernel package, extract vmlinux, build the initramfs
#                    (all cached in $(BUILD)/vm; a second run takes ~0.5 s)
#   make vm-check    build berth and the rootfs, then in the VM: berth
#                    --version, a berth run of the busybox bundle,
#                    tests/vm/smoke.sh, bats tests/integration/cgroups.bats,
#                    rootless_v2.bats, crash.bats (fewer random kills) and,
#                    with the modules of criu.modules, checkpoint.bats
#   make vm-clean    remove $(BUILD)/vm
#
# Any command: tests/vm/run-in-vm.sh CMD... (-i for an interactive shell).
# VM_TIMEOUT: seconds before the VM is killed (emulation is 10-50x slower
# than the host: be generous; cgroups.bats, rootless_v2.bats and crash.bats
# took more than 1800 s together on a loaded 2-core host).

VM_TIMEOUT ?= 2700
VM_ENV = VM_DIR=$(abspath $(BUILD))/vm VM_TIMEOUT=$(VM_TIMEOUT)

.PHONY: vm-setup vm-check vm-clean

vm-setup:
	$(VM_ENV) tests/vm/setup.sh

vm-check: deps
	$(MAKE) rootfs
	$(MAKE) crash-build
	@$(VM_ENV) tests/vm/setup.sh
	@t0=$$(date +%s); $(VM_ENV) tests/vm/run-in-vm.sh tests/vm/check.sh; rc=$$?; \
	echo "vm-check: status $$rc, $$(($$(date +%s) - t0)) s in the VM"; exit $$rc

vm-clean:
	rm -rf $(BUILD)/vm
