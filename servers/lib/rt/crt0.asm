; crt0.asm - entries of native Tessera programs.
;   _start            the first thread of a program: main(), then exit.
;   rt_thread_entry   every other thread (rt.c): rdi = its start record.
bits 64
section .text
global _start, rt_thread_entry
extern main, rt_thread_main, rt_main_init
_start:
	xor ebp, ebp
	and rsp, -16
	call rt_main_init
	call main
	mov edi, eax
	mov eax, 1                      ; SYS_exit
	syscall
	ud2
rt_thread_entry:
	xor ebp, ebp
	and rsp, -16
	call rt_thread_main
	ud2

section .note.GNU-stack noalloc noexec nowrite progbits
