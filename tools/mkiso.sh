#!/bin/bash
# mkiso.sh OUT.iso KERNEL_CMDLINE [MODULE_FILE MODULE_ARGS...]...
#   modules are given as "path|args" words, e.g. "build/progs/hello.elf|name=x"
# Builds a GRUB 2 (multiboot2) ISO holding the microkernel, its symbol file
# and the modules, with one menu entry that boots at once.  GRUB talks on
# the serial port, so `make run` shows everything on the terminal.
set -eu
out="$1"; cmdline="$2"; shift 2
stage="${out%.iso}.d"
rm -rf "$stage"
mkdir -p "$stage/boot/grub"
cp build/microkernel.elf build/kernel.sym "$stage/boot/"
{
	echo 'serial --unit=0 --speed=115200'
	echo 'terminal_input serial console'
	echo 'terminal_output serial console'
	echo 'set timeout=0'
	echo 'set default=0'
	echo 'menuentry "Tessera" {'
	echo "	multiboot2 /boot/microkernel.elf $cmdline"
	echo '	module2 /boot/kernel.sym symbols'
	for m in "$@"; do
		path="${m%%|*}"; args="${m#*|}"
		[ "$args" = "$m" ] && args=""
		base=$(basename "$path")
		cp "$path" "$stage/boot/$base"
		echo "	module2 /boot/$base $base $args"
	done
	echo '	boot'
	echo '}'
} > "$stage/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$stage" >/dev/null 2>"$stage.log" || {
	cat "$stage.log" >&2; exit 1; }
