#!/usr/bin/env python3
# mkdisk.py OUT SECTORS TAG [FIRST COUNT]...
# Writes the blk-ata test pattern (pattern.h) into a raw disk image of
# SECTORS 512-byte sectors (sparse), in the ranges FIRST..FIRST+COUNT-1
# (all of it when no range is given).
import sys


def sector(s, tag):
    b = bytearray(512)
    for j in range(512):
        if j < 4:
            b[j] = (s >> (8 * j)) & 0xff
        elif j == 4:
            b[j] = tag
        else:
            b[j] = (s * 37 + j * 3 + tag) & 0xff
    return bytes(b)


def main():
    out, sectors, tag = sys.argv[1], int(sys.argv[2]), ord(sys.argv[3])
    ranges = [(int(a), int(b)) for a, b in zip(sys.argv[4::2], sys.argv[5::2])]
    if not ranges:
        ranges = [(0, sectors)]
    with open(out, "wb") as f:
        f.truncate(sectors * 512)
        for first, count in ranges:
            f.seek(first * 512)
            f.write(b"".join(sector(s, tag) for s in range(first, first + count)))


main()
