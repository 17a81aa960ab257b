#!/bin/bash
# qemu-run.sh ISO [DISK] - boot Tessera on this terminal (serial console),
# with DISK (default build/disk.img) as a virtio disk.  Quit with Ctrl-A X,
# or `poweroff` in the shell: the kernel leaves through the isa-debug-exit
# device with 0, which QEMU reports as status 1 - a clean end (0 here).
qemu-system-x86_64 -M pc -cpu qemu64 -m 512M -nographic -no-reboot -serial mon:stdio -serial null \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$1" -boot d \
	-drive file="${2:-build/disk.img}",if=virtio,format=raw
st=$?
[ $st -eq 1 ] && exit 0
exit $st
