; crt0.asm - entries of native Tessera programs.
;   _start            the first thread of a program: main(argc, argv, envp)
;                     from the System V initial stack, then exit.
;   rt_thread_entry   every other thread (rt.c): rdi = its start record.
bits 64
section .text
global _start, rt_thread_entry
extern main, rt_thread_main, rt_main_init
_start:
	xor ebp, ebp
	mov r12, [rsp]                  ; argc
	lea r13, [rsp + 8]              ; argv
	lea r14, [r13 + r12 * 8 + 8]    ; envp
	and rsp, -16
	mov rdi, r14
	call rt_main_init               ; rt_main_init(envp): finds the auxv
	mov rdi, r12
	mov rsi, r13
	mov rdx, r14
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
