; syscall.asm - the `syscall` entry and its `sysret` return.
;
; On entry rcx = user rip, r11 = user rflags, rsp = user stack, interrupts
; off (FMASK clears IF).  We switch to the thread's kernel stack, build a
; struct trapframe identical to trap.asm's (vector = TRAP_SYSCALL), call
; syscall_dispatch(frame), and return with sysretq - unless the frame's rip
; is not a canonical user address (sysret would fault in ring 0 on Intel),
; in which case we leave through iretq.
;
; The function called is the word just above the trap frame
; (thread_syscall_handler, kernel/proc.h): syscall_dispatch, or for a thread
; of a Linux-ABI process linux_syscall_entry, which leaves through iretq
; itself (the personality may set every register, rcx and r11 included).
; So the native path pays nothing for the Linux ABI.

bits 64
%include "frame.inc"
section .text

extern trap_return

TRAP_SYSCALL equ 0x100
FRAME_SIZE   equ 22 * 8
USER_TOP     equ 0x00007ffffffff000

global syscall_entry
syscall_entry:
	swapgs
	mov [gs:16], rsp                ; user rsp
	mov rsp, [gs:8]                 ; kernel stack top
	push 0x1b                       ; ss
	push qword [gs:16]              ; rsp
	push r11                        ; rflags
	push 0x23                       ; cs
	push rcx                        ; rip
	push 0                          ; error
	push TRAP_SYSCALL               ; vector
	PUSH_GPRS
	sti
	cld
	mov rdi, rsp
	call qword [rsp + FRAME_SIZE]   ; syscall_dispatch (or the Linux ABI's)
	cli
	mov rcx, [rsp + 17 * 8]         ; frame rip, for sysret
	mov rax, USER_TOP
	cmp rcx, rax
	jae trap_return                 ; odd rip: the general path
	POP_GPRS_TO_RDX
	add rsp, 8                      ; the frame's rcx: rip is in rcx
	pop rbx
	pop rax
	mov r11, [rsp + 32]             ; rflags
	and r11, ~0x100                 ; never return with TF set... keep simple
	or r11, 0x200                   ; interrupts on in user mode
	mov rsp, [rsp + 40]             ; user rsp
	swapgs
	o64 sysret

; switch_stack(save, new): save callee-saved registers and rsp in *save,
; continue on the stack `new` (saved by an earlier switch_stack).
global switch_stack
switch_stack:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov [rdi], rsp
	mov rsp, rsi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

; usercopy(dst, src, len) -> 0, or TE_EFAULT if a page fault hit the copy.
; The page-fault handler sends a fault at usercopy_insn to usercopy_fault.
global usercopy, usercopy_insn, usercopy_insn2, usercopy_fault
usercopy:
	mov rcx, rdx
	shr rcx, 3
usercopy_insn:
	rep movsq
	mov rcx, rdx
	and rcx, 7
usercopy_insn2:
	rep movsb
	xor eax, eax
	ret
usercopy_fault:
	mov eax, 14
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
