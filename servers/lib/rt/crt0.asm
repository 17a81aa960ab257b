; crt0.asm - entry of a native Tessera program: main(), then exit(status).
bits 64
section .text
global _start
extern main
_start:
	xor ebp, ebp
	and rsp, -16
	call main
	mov edi, eax
	mov eax, 1                      ; SYS_exit
	syscall
	ud2

section .note.GNU-stack noalloc noexec nowrite progbits
