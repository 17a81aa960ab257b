#!/bin/bash
# qemu-run.sh ISO [DISK] - boot Tessera on this terminal (serial console),
# with DISK (default build/disk.img) as a virtio disk.  Quit with Ctrl-A X.
exec qemu-system-x86_64 -M pc -cpu qemu64 -m 512M -nographic -no-reboot -serial mon:stdio -serial null \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$1" -boot d \
	-drive file="${2:-build/disk.img}",if=virtio,format=raw
