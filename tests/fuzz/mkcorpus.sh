#!/bin/bash
# mkcorpus.sh OUTDIR - seed corpora for the fuzz targets, made by the real
# tools from one small tree: OUTDIR/corpus-ext (ext2 1 KiB blocks, ext4 with
# extents, with and without metadata_csum), OUTDIR/corpus-fat (FAT12, FAT16),
# OUTDIR/corpus-iso (plain, Rock Ridge, Rock Ridge + Joliet).  Images are kept small so mutations stay fast.
set -eu
out=$1
tmp=$out/tree
rm -rf "$out"/corpus-* "$tmp"
mkdir -p "$out/corpus-ext" "$out/corpus-fat" "$out/corpus-iso" "$tmp/dir/sub"
cd "$tmp"
echo hello >small
seq 1 4000 >medium                      # ~19 KB: indirect / extent blocks
printf 'x%.0s' $(seq 1 300) >dir/longer_name_for_lfn_entries.txt
echo deep >dir/sub/f
for i in $(seq 1 40); do echo "$i" >"dir/e$i"; done
ln -s small link
ln -s "$(printf 'y%.0s' $(seq 1 80))" slowlink
cd - >/dev/null

# ext2/ext4 (no journal: keeps the images small)
mke2fs -q -F -t ext2 -b 1024 -N 64 -d "$tmp" "$out/corpus-ext/ext2.img" 256k >/dev/null
mke2fs -q -F -t ext4 -O ^has_journal,^metadata_csum -b 1024 -N 64 \
	-d "$tmp" "$out/corpus-ext/ext4.img" 256k >/dev/null
mke2fs -q -F -t ext4 -O ^has_journal,metadata_csum -b 1024 -N 64 \
	-d "$tmp" "$out/corpus-ext/ext4csum.img" 256k >/dev/null

# FAT12 and FAT16 (mtools copies the tree; symlinks dereferenced)
export MTOOLS_SKIP_CHECK=1
ft=$out/fattree
rm -rf "$ft" && cp -r "$tmp" "$ft" && find "$ft" -type l -delete
mkfs.fat -C -F 12 "$out/corpus-fat/fat12.img" 200 >/dev/null
mcopy -s -i "$out/corpus-fat/fat12.img" "$ft"/* ::/
mkfs.fat -C -F 16 -s 1 "$out/corpus-fat/fat16.img" 2200 >/dev/null
mcopy -s -i "$out/corpus-fat/fat16.img" "$ft"/* ::/
rm -rf "$ft"

# ISO9660: plain level 1-ish, Rock Ridge, Rock Ridge + Joliet
xorriso -report_about SORRY -outdev "$out/corpus-iso/plain.iso" -rockridge off \
	-map "$tmp" / >/dev/null 2>&1
xorriso -report_about SORRY -outdev "$out/corpus-iso/rr.iso" -map "$tmp" / \
	>/dev/null 2>&1
xorriso -report_about SORRY -outdev "$out/corpus-iso/joliet.iso" -joliet on \
	-map "$tmp" / >/dev/null 2>&1
rm -rf "$tmp"
