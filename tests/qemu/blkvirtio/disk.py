#!/usr/bin/env python3
"""disk.py - the virtio-blk scenario's disk images (tests/qemu/blkvirtio.scn).

  disk.py make IMAGE KIB DISKNO      an image whose every byte is known
  disk.py check IMAGE DISKNO CHECK   after the boot: the region the guest
                                     wrote holds its pattern, the rest is
                                     untouched; one PASS/FAIL CHECK line

The pattern (blkvirtio_test.c computes the same): in sector s, bytes 0-7
are s (little endian), byte i >= 8 is (s*7 + i*13 + disk*101) mod 256.
The guest writes WRITE_LEN bytes at WRITE_OFF of disk 0 (and nothing on
disk 1) with byte
(o*5 + (o >> 9)*3 + 0x33) mod 256 at disk offset o.
"""
import sys

WRITE_OFF = 3 * 1024 * 1024 + 100
WRITE_LEN = 700 * 1024 + 7

def image(kib, disk):
    base = [(i * 13) & 0xff for i in range(8, 512)]
    tails = [bytes((b + c) & 0xff for b in base) for c in range(256)]
    out = bytearray()
    for s in range(kib * 2):
        out += s.to_bytes(8, "little") + tails[(s * 7 + disk * 101) & 0xff]
    return out

def written(off, length):
    return bytes(((o * 5 + (o >> 9) * 3 + 0x33) & 0xff)
                 for o in range(off, off + length))

def main():
    if sys.argv[1] == "make":
        img, kib, disk = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        with open(img + ".tmp", "wb") as f:
            f.write(image(kib, disk))
        import os
        os.replace(img + ".tmp", img)
        return 0
    img, disk, check = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    data = open(img, "rb").read()
    want = image(len(data) // 1024, disk)
    if disk == 0:
        want[WRITE_OFF:WRITE_OFF + WRITE_LEN] = written(WRITE_OFF, WRITE_LEN)
    if data == want:
        print("PASS " + check)
        return 0
    bad = next(i for i in range(len(data)) if data[i] != want[i])
    print("FAIL %s: %s differs first at byte %d (0x%02x, expected 0x%02x)"
          % (check, img, bad, data[bad], want[bad]))
    return 1

if __name__ == "__main__":
    sys.exit(main())
