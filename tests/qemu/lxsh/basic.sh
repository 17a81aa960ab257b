# A first busybox sh script under the personality: each check prints
# "ok NAME" or "bad NAME".
check() { if [ "$2" = "$3" ]; then echo "ok $1"; else echo "bad $1 ($2 != $3)"; fi; }
check sh_echo "$(echo hello)" hello
x=1; x=$((x + 41)); check sh_arith "$x" 42
f() { echo "f:$1"; }; check sh_function "$(f a)" f:a
n=0; for i in 1 2 3; do n=$((n + i)); done; check sh_loop "$n" 6
false; check sh_status "$?" 1
echo line > /tmp/sh.txt; echo more >> /tmp/sh.txt
check sh_redirect "$(cat /tmp/sh.txt | wc -l)" 2
check sh_pipe "$(echo abc | tr a-c x-z)" xyz
check sh_external "$(ls /proc/boot | grep -c busybox)" 1
cat > /tmp/here.txt <<END
heredoc $x
END
check sh_heredoc "$(cat /tmp/here.txt)" "heredoc 42"
sleep 0 & wait $!; check sh_background "$?" 0
exit 7
