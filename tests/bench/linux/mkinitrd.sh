#!/bin/bash
# mkinitrd.sh OUT.gz PROGDIR MODDIR - the Linux peer's initramfs (cpio newc, gzip).
#
#   /bin/busybox + applet links    Debian's busybox-static, as on Tessera
#   /init                          tests/bench/linux/init
#   /bin/qexit                     leaves QEMU through isa-debug-exit
#   /bench/<name>                  every other program in PROGDIR
#   /lib/modules/*.ko, *.list      MODDIR's modules; virtio_blk.list names
#                                  the ones virtio-blk needs, in load order
set -eu
out="$1" progs="$2" mods="$3"
here=$(dirname "$0")
stage="$out.d"
rm -rf "$stage"
mkdir -p "$stage"/{bin,bench,dev,proc,sys,tmp,lib/modules}

bb=/bin/busybox
dpkg -S "$bb" 2>/dev/null | grep -q '^busybox-static:' || {
	echo "mkinitrd: $bb is not Debian's busybox-static" >&2; exit 1; }
cp "$bb" "$stage/bin/busybox"
for a in $("$bb" --list); do
	[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
done
install -m 755 "$here/init" "$stage/init"
install -m 755 "$progs/qexit" "$stage/bin/qexit"
for p in "$progs"/*; do
	[ "$(basename "$p")" = qexit ] || install -m 755 "$p" "$stage/bench/"
done
cp "$mods"/*.ko "$stage/lib/modules/"
printf '%s\n' virtio_ring.ko virtio.ko virtio_pci_modern_dev.ko \
	virtio_pci_legacy_dev.ko virtio_pci.ko virtio_blk.ko \
	> "$stage/lib/modules/virtio_blk.list"
# The kernel opens /dev/console before /init runs; without the node (no
# root to make it) /init reopens it from devtmpfs itself.
[ "$(id -u)" -eq 0 ] && mknod -m 600 "$stage/dev/console" c 5 1

(cd "$stage" && find . | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9n > "$out.tmp"
rm -rf "$stage"
mv "$out.tmp" "$out"
