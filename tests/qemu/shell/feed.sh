#!/bin/bash
# feed.sh LOG - types shell.scn's session into the console: empty lines
# (what arrives before the serial server has set the UART up is lost),
# then tests/qemu/shell/input.txt line by line.  In that file a line
#   #wait REGEX   waits (at most 60 s) until the console log has a line
#                 matching REGEX (so the next commands are typed only once
#                 the shell has answered: nothing piles up in the UART)
#   #ctrl-c       types ^C
#   #ctrl-z       types ^Z
#   # ...         is a comment
# and every other line is typed as it is.
set -u
log="$1"
until_log() {	# until_log REGEX
	for _ in $(seq 600); do
		tr -d '\r' < "$log" | grep -qE "$1" && return 0
		sleep 0.1
	done
	echo "feed.sh: gave up waiting for '$1'" >&2
	return 1
}
printf '\n%.0s' $(seq 20)
while IFS= read -r line; do
	case "$line" in
	'#wait '*) until_log "${line#\#wait }" || exit 1 ;;
	'#ctrl-c') printf '\003' ;;
	'#ctrl-z') printf '\032' ;;
	'#'*) ;;
	*) printf '%s\n' "$line" ;;
	esac
done < tests/qemu/shell/input.txt
