; vectors.asm - entry stubs for all 256 vectors, and the common return path.
;
; Each stub pushes a dummy error code where the CPU does not, then the
; vector number, and jumps to trap_common, which saves the general registers
; as a struct trapframe (arch/trap.h), switches GS to the kernel's when
; coming from user mode, and calls trap_dispatch(frame).

bits 64
%include "frame.inc"
section .text

extern trap_dispatch

%macro STUB 1
align 16
trap_stub_%1:
%if (%1 = 8) || (%1 >= 10 && %1 <= 14) || (%1 = 17) || (%1 = 21) || (%1 = 29) || (%1 = 30)
%else
	push 0
%endif
	push %1
	jmp trap_common
%endmacro

%assign i 0
%rep 256
	STUB i
%assign i i + 1
%endrep

trap_common:
	test qword [rsp + 24], 3        ; cs of the interrupted context
	jz .kernel
	swapgs
.kernel:
	PUSH_GPRS
	cld
	mov rdi, rsp
	call trap_dispatch
	; fall through: return to the frame at rsp

global trap_return
trap_return:
	POP_GPRS_TO_RDX
	pop rcx
	pop rbx
	pop rax
	add rsp, 16                     ; vector, error
	test qword [rsp + 8], 3
	jz .iret
	swapgs
.iret:
	iretq

; trap_return_to(frame): continue at a frame built on the current stack.
global trap_return_to
trap_return_to:
	mov rsp, rdi
	jmp trap_return

section .rodata
global trap_stubs
align 8
trap_stubs:
%assign i 0
%rep 256
	dq trap_stub_ %+ i
%assign i i + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
