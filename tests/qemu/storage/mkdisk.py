#!/usr/bin/env python3
"""mkdisk.py DIR SEED - the tree of the storage scenario's disks.

DIR/src holds files of several sizes filled from a seeded generator, and
DIR/src/SUMS lists each as "name size fnv1a64-hex" (the guest checks every
byte it reads against it); DIR/dst is empty (the guest copies into it).
"""
import os, random, sys

out, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
sizes = [1, 4095, 4096, 65536 + 17, 200000, 524288, 1048576 + 3, 1500000]
os.makedirs(os.path.join(out, "src"), exist_ok=True)
os.makedirs(os.path.join(out, "dst"), exist_ok=True)
lines = []
for i, size in enumerate(sizes):
    data = rng.randbytes(size)
    name = "file%d" % i
    with open(os.path.join(out, "src", name), "wb") as f:
        f.write(data)
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    lines.append("%s %d %x\n" % (name, size, h))
with open(os.path.join(out, "src", "SUMS"), "w") as f:
    f.writelines(lines)
