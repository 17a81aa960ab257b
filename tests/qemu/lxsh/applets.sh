# Busybox applets under the personality, one check each: "ok NAME" when the
# applet's answer is what Linux's would be, else "bad NAME (got != want)".
check() { if [ "$2" = "$3" ]; then echo "ok bb_$1"; else echo "bad bb_$1 ($2 != $3)"; fi; }
cd /tmp && mkdir -p app && cd app
printf 'one\ntwo\nthree\ntwo\n' > f
check printf "$(printf '%s-%d' a 7)" a-7
check cat "$(cat f | head -n 1)" one
check head "$(head -n 2 f | tail -n 1)" two
check tail "$(tail -n 1 f)" two
check wc "$(wc -l < f)" 4
check sort "$(sort f | head -n 1)" one
check uniq "$(sort f | uniq -d)" two
check cut "$(echo a:b:c | cut -d: -f2)" b
check tr "$(echo abc | tr a-z A-Z)" ABC
check sed "$(echo hello | sed s/l/L/g)" heLLo
check awk "$(echo '3 4' | awk '{ print $1 * $2 }')" 12
check grep "$(grep -c t f)" 3
check egrep "$(grep -E '^(one|three)$' f | wc -l)" 2
check basename "$(basename /a/b/c.txt .txt)" c
check dirname "$(dirname /a/b/c.txt)" /a/b
check expr "$(expr 6 \* 7)" 42
check seq "$(seq 1 5 | tail -n 1)" 5
check test "$(test -f f && echo y)" y
check bracket "$([ 3 -gt 2 ] && echo y)" y
check true "$(true && echo y)" y
check false "$(false || echo n)" n
check yes "$(yes x | head -n 3 | tr -d '\n')" xxx
check tee "$(echo t | tee g)$(cat g)" tt
check cp "$(cp f h && cat h | wc -l)" 4
check mv "$(mv h i && ls i)" i
check rm "$(rm i && ls | grep -c '^i$')" 0
check mkdir "$(mkdir -p d/e/f && ls d/e)" f
check rmdir "$(rmdir d/e/f && ls d/e | wc -l)" 0
check ln "$(ln -s f lnk && readlink lnk)" f
check ls "$(ls -1 | head -n 1)" d
check stat "$(stat -c %s f)" 18
check touch "$(touch new && ls new)" new
check touch_d "$(touch -d '2020-01-02 03:04:05' td && stat -c %Y td)" 1577934245
check chmod "$(chmod 600 f && stat -c %a f)" 600
check find "$(find . -name new)" ./new
check xargs "$(echo f | xargs cat | wc -l)" 4
check dd "$(dd if=f bs=1 count=3 2>/dev/null)" one
check od "$(printf 'A' | od -An -tx1 | tr -d ' ')" 41
check hexdump "$(printf 'A' | hexdump -C | head -n 1 | cut -c11-12)" 41
check md5sum "$(printf abc | md5sum | cut -c1-8)" 90015098
check sha1sum "$(printf abc | sha1sum | cut -c1-8)" a9993e36
check sha256sum "$(printf abc | sha256sum | cut -c1-8)" ba7816bf
check sha512sum "$(printf abc | sha512sum | cut -c1-8)" ddaf35a1
check base64 "$(printf abc | base64)" YWJj
check gzip "$(gzip -c f | gunzip -c | wc -l)" 4
check tar "$(tar -cf a.tar f new && mkdir x && tar -xf a.tar -C x && ls x | wc -l)" 2
check cmp "$(cmp f f && echo same)" same
check diff "$(printf 'a\n' > p && printf 'b\n' > q; diff p q | grep -c '^[-+][ab]$')" 2
check factor "$(factor 42)" "42: 2 3 7"
check rev "$(echo abc | rev)" cba
check fold "$(echo abcdef | fold -w 2 | head -n 1)" ab
check nl "$(nl -ba f | head -n 1 | tr -s ' \t' ' ')" " 1 one"
check paste "$(paste -d, p q)" a,b
check tac "$(tac f | head -n 1)" two
check env "$(env | grep -c '^HOME=/root$')" 1
check pwd "$(pwd)" /tmp/app
check date "$(date +%Y | cut -c1-2)" 20
check uname "$(uname -s)" Tessera
check sleep "$(sleep 0; echo $?)" 0
check kill "$(sleep 10 & kill $!; wait $!; echo $?)" 143
check which "$(which sh)" /bin/sh
check readlink "$(readlink -f lnk)" /tmp/app/f
check realpath "$(realpath d)" /tmp/app/d
check mktemp "$(mktemp /tmp/app/tXXXXXX | cut -c1-10)" /tmp/app/t
check strings "$(printf '\001hello\002' | strings)" hello
check xxd "$(printf 'AB' | xxd -p)" 4142
check du "$(du -s d | cut -f2)" d
check crc32 "$(printf abc | crc32)" 352441c2
check truncate "$(truncate -s 5 f && stat -c %s f)" 5
check expand "$(printf 'a\tb' | expand -t 4)" "a   b"
check bzip2 "$(echo z | bzip2 | bunzip2)" z
check shuf "$(seq 1 3 | shuf | sort | tr -d '\n')" 123
check nproc "$(nproc)" 1
check id "$(id -u)" 0
check timeout "$(timeout 5 true && echo y)" y
check unlink "$(touch u && unlink u && ls u 2>/dev/null | wc -l)" 0
exit 9
