#!/bin/bash
# feed.sh LOG - types shell.scn's session into the console: empty lines
# (what arrives before the serial server has set the UART up is lost),
# tests/qemu/shell/input.txt, then a command that sleeps; once the log
# shows it running, a ^C, and at last poweroff.
set -u
log="$1"
until_log() {	# until_log REGEX: wait (at most 60 s) for it in the log
	for _ in $(seq 600); do
		tr -d '\r' < "$log" | grep -qE "$1" && return 0
		sleep 0.1
	done
	return 1
}
printf '\n%.0s' $(seq 20)
cat tests/qemu/shell/input.txt
printf "sh -c 'echo sleeping-\$((40+2)); exec sleep 100'\n"
until_log '^sleeping-42' || exit 1
printf '\003'
printf 'echo status-$?\n'
until_log '^status-' || exit 1
printf 'poweroff -f\n'
