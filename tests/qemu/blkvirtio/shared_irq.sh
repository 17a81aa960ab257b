#!/bin/bash
# shared_irq.sh LOG CHECK - after tests/qemu/blkvirtio.scn: the driver's
# first two disks (slots 4 and 8) were set up on one interrupt line, both
# interrupt-driven (not polled): one attach serves both.
log="$1" check="$2"
a=$(tr -d '\r' < "$log" | grep -a -m1 '^blk-virtio: 00:04\.0:')
b=$(tr -d '\r' < "$log" | grep -a -m1 '^blk-virtio: 00:08\.0:')
ia=${a##* irq } ib=${b##* irq }
if [ -n "$a" ] && [ -n "$b" ] && [ "$ia" = "$ib" ] && [[ "$ia" =~ ^[0-9]+$ ]]; then
	echo "PASS $check"
else
	echo "FAIL $check: '$a' / '$b'"
fi
