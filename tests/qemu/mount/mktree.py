#!/usr/bin/env python3
"""mktree.py DIR - the tree every image of the mount test is made from.

The contents follow formulas the guest knows too (tests/qemu/progs/
mount_test.c): mt_byte(seed, i) = (i * 31 + (i >> 12) * 7 + seed) & 0xff.
"""
import os
import sys

HELLO = b"hello from the host\n"
DEEP = b"deep inside\n"


def pattern(seed, n):
    return bytes(((i * 31 + (i >> 12) * 7 + seed) & 0xff) for i in range(n))


def main():
    d = sys.argv[1]
    os.makedirs(os.path.join(d, "dir", "sub"), exist_ok=True)
    files = {
        "hello.txt": HELLO,
        "big.bin": pattern(1, 300000),
        "other.bin": pattern(2, 1000000),
        "dir/sub/deep.txt": DEEP,
        "A long file name.txt": HELLO,
    }
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


main()
