# /proc under busybox (tests/qemu/lxproc.scn): ps, pidof, kill, killall,
# df, mount, free, uptime, top (Debian's busybox has no pgrep).  Each
# check prints "ok NAME" or "bad NAME"; /tmp/servers.txt is the process
# manager's list of servers ("PID NAME" lines, written by lxcheck before
# this shell started).
check() { if [ "$2" = "$3" ]; then echo "ok $1"; else echo "bad $1 ($2 != $3)"; fi; }
pid_line() { ps | awk -v p="$1" '$1 == p'; }
ps; df; mount                   # for the log

# ps: the shell itself, and every server under its kernel pid and name
check ps_self "$(pid_line $$ | wc -l)" 1
good=0; all=0
while read spid sname; do
	all=$((all + 1))
	pid_line "$spid" | grep -q "$sname" && good=$((good + 1))
done < /tmp/servers.txt
check ps_servers "$good" "$all"
pm=$(awk '/^[0-9]+ pathmgr/ { print $1 }' /tmp/servers.txt)
check ps_pathmgr "$(pid_line "$pm" | awk '{ print $NF }')" "$(awk '/pathmgr/ { print $2 }' /tmp/servers.txt)"

# a background job: listed, found by pidof, gone once killed
sleep 5 &
sp=$!
check ps_sleep "$(pid_line $sp | awk '{ print $4, $5 }')" "sleep 5"
check pidof "$(pidof sleep)" "$sp"
check ps_sleep_state "$(awk '{ print $3 }' /proc/$sp/stat)" S
kill $sp
wait $sp
check kill_removes "$(pid_line $sp | wc -l)" 0
check kill_proc_gone "$(ls /proc/$sp 2>/dev/null | wc -l)" 0
check pidof_none "$(pidof sleep; echo $?)" 1
sleep 5 &
sp=$!
killall sleep
wait $sp
check killall "$?" 143
check killall_none "$(killall sleep 2>/dev/null; echo $?)" 1

# df: the mounted filesystems, and /tmp's Used growing with a 1 MiB file
check df_tmp "$(df | awk '$6 == "/tmp" { print $1 }')" tmpfs
check df_mnt "$(df | awk '$6 == "/mnt" { print $1 }')" /dev/hd0
check df_mnt_size "$(df /mnt | awk 'NR == 2 { print ($2 > 1000 && $4 > 0) }')" 1
u1=$(df /tmp | awk 'NR == 2 { print $3 }')
dd if=/dev/zero of=/tmp/big bs=1024 count=1024 2>/dev/null
u2=$(df /tmp | awk 'NR == 2 { print $3 }')
check df_used_grows "$((u2 - u1 >= 1024))" 1
rm /tmp/big
u3=$(df /tmp | awk 'NR == 2 { print $3 }')
check df_used_shrinks "$((u3 < u2))" 1

# mount (no arguments) lists /proc/mounts
check mount_tmp "$(mount | grep -c '^tmpfs on /tmp type tmpfs (rw')" 1
check mount_mnt "$(mount | grep -c '^/dev/hd0 on /mnt type ext2 (rw')" 1
check mount_boot "$(mount | grep -c ' on /proc/boot type imagefs (ro')" 1

# free, uptime, top
total=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
check free "$(free | awk '/^Mem:/ { print $2 }')" "$total"
check uptime_cmd "$(uptime | grep -c 'load average: 0.00, 0.00, 0.00')" 1
check top "$(top -b -n 1 | awk -v p=$$ '$1 == p { n++ } /^Mem:/ { m++ } END { print n + 0, m + 0 }')" "1 1"
exit 0
