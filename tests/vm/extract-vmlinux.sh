#!/usr/bin/env bash
# extract-vmlinux.sh VMLINUZ OUT — write the uncompressed ELF kernel in VMLINUZ
# to OUT.
#
# The method of the kernel's scripts/extract-vmlinux: a bzImage is a small
# decompressor followed by the compressed kernel. Find each compression
# format's magic bytes in the image, decompress from that offset (the trailing
# bytes make the decompressor complain: ignored), and keep the first result
# that is an ELF file. qemu boots the ELF through its PVH entry point, which
# skips the ~8 s the emulated CPU spends in the in-kernel xz decompressor.
set -uo pipefail

img=${1:?usage: extract-vmlinux.sh VMLINUZ OUT}
out=${2:?usage: extract-vmlinux.sh VMLINUZ OUT}
export LC_ALL=C

is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

# try MAGIC(grep -P bytes) COMMAND...
try() {
	local magic=$1 pos
	shift
	command -v "$1" >/dev/null 2>&1 || return 1
	for pos in $(grep -aboUP "$magic" "$img" 2>/dev/null | cut -d: -f1); do
		tail -c +$((pos + 1)) "$img" | "$@" >"$out.tmp" 2>/dev/null
		if is_elf "$out.tmp"; then
			mv "$out.tmp" "$out"
			return 0
		fi
	done
	rm -f "$out.tmp"
	return 1
}

# An uncompressed vmlinux already?
if is_elf "$img"; then
	cp "$img" "$out"
	exit 0
fi

# Same order and magics as scripts/extract-vmlinux.
try '\x1f\x8b\x08' gunzip ||
	try '\xfd\x37\x7a\x58\x5a\x00' xz -dc ||
	try 'BZh' bunzip2 ||
	try '\x5d\x00\x00\x00' unlzma ||
	try '\x89\x4c\x5a' lzop -dc ||
	try '\x02\x21\x4c\x18' lz4 -dc ||
	try '\x28\xb5\x2f\xfd' unzstd -c ||
	{
		echo "extract-vmlinux.sh: no compressed kernel found in $img" >&2
		exit 1
	}
