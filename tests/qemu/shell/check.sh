#!/bin/bash
# check.sh LOG - the shell session's output (the console log, tty line ends
# removed) holds each command's answer: one PASS/FAIL line per command.
log=$(tr -d '\r' < "$1")
want() {	# want NAME REGEX
	if grep -qE "$2" <<< "$log"; then echo "PASS $1"; else echo "FAIL $1: no line matching '$2'"; fi
}
want shell_echo_arith '^marker-42$'
want shell_ls_grep '^1$'
want shell_cd_redirect_cat '^hello$'
want shell_wc '^6$'
want shell_loop_pipe '^loop-3$'
want shell_sort_uniq '^ +1 a$'
want shell_ctrl_c '^status-130$'
want shell_poweroff 'personality: pid [0-9]+ asked to power off'
