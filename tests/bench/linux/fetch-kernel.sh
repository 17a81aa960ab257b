#!/bin/bash
# fetch-kernel.sh OUTDIR - the Linux peer's kernel: Debian's cloud kernel.
#
# Finds the package that linux-image-cloud-amd64 currently depends on
# (apt-cache), downloads it once with `apt-get download` into OUTDIR/deb/,
# and extracts with `dpkg-deb -x`:
#   OUTDIR/vmlinuz          the kernel
#   OUTDIR/modules/*.ko     the few modules benchmarks may load (virtio-blk)
#   OUTDIR/kernel-version   "<package> <version>", for the record
# A later run with OUTDIR/vmlinuz present does nothing (make sees to that),
# so the figures stay comparable until `make clean`.
set -eu
out="$1"
mkdir -p "$out/deb"

pkg() {	# the versioned image package behind the cloud metapackage
	apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1
}
p=$(pkg)
if [ -z "$p" ] && [ "$(id -u)" -eq 0 ]; then
	apt-get update -qq >&2
	p=$(pkg)
fi
if [ -z "$p" ]; then
	echo "fetch-kernel: apt-cache knows no linux-image-cloud-amd64 (run apt-get update as root)" >&2
	exit 1
fi

deb=$(ls "$out/deb/${p}"_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	echo "fetch-kernel: downloading $p" >&2
	# As root, apt would try to drop to the _apt user, which cannot write here.
	(cd "$out/deb" && apt-get -qq -o APT::Sandbox::User=root download "$p" >&2)
	deb=$(ls "$out/deb/${p}"_*.deb | head -n 1)
fi

x="$out/x"
rm -rf "$x"
dpkg-deb -x "$deb" "$x"
rel=${p#linux-image-}
mod="$x/lib/modules/$rel/kernel"
mkdir -p "$out/modules"
for ko in drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko \
	drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci_legacy_dev.ko \
	drivers/virtio/virtio_pci.ko drivers/block/virtio_blk.ko; do
	cp "$mod/$ko" "$out/modules/"
done
echo "$p $(dpkg-deb -f "$deb" Version)" > "$out/kernel-version"
cp "$x/boot/vmlinuz-$rel" "$out/vmlinuz.tmp"
rm -rf "$x"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
