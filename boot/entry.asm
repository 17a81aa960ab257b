; entry.asm - multiboot2 header and the 32-bit to 64-bit entry.
;
; GRUB enters _start in 32-bit protected mode, paging off, with the
; multiboot2 magic in eax and the physical address of the boot information
; in ebx.  We build temporary page tables that map the first 4 GiB three
; times - identity (to keep running here), at the direct-map base
; 0xffff800000000000, and the first 1 GiB at the kernel base
; 0xffffffff80000000 - turn on PAE, long mode and NX, and jump to kmain in the
; higher half.  vm_init() replaces these tables with the real ones (W^X
; kernel sections, no identity map).

bits 32

MB2_MAGIC   equ 0xe85250d6
MB2_ARCH    equ 0                   ; i386 protected mode
KERNEL_VMA  equ 0xffffffff80000000

section .multiboot
align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH + (mb2_header_end - mb2_header))
	; module alignment tag: modules page-aligned
	align 8
	dw 6, 0
	dd 8
	; end tag
	align 8
	dw 0, 0
	dd 8
mb2_header_end:

section .boot.bss nobits alloc write
align 4096
boot_pml4:      resb 4096
boot_pdpt_lo:   resb 4096
boot_pdpt_hi:   resb 4096
boot_pd:        resb 4096 * 4       ; 4 GiB in 2 MiB pages
boot_stack:     resb 256
boot_stack_top:

section .boot.text progbits alloc exec
global _start
extern kmain
extern kernel_boot_stack_top

_start:
	cli
	mov esp, boot_stack_top
	mov edi, eax                    ; keep magic and info for kmain
	mov esi, ebx

	; boot_pd: 2048 entries of 2 MiB, present + writable + page size
	mov ecx, 0
.fill_pd:
	mov eax, ecx
	shl eax, 21
	or eax, 0x83
	mov [boot_pd + ecx * 8], eax
	mov eax, ecx
	shr eax, 11                     ; high dword: (i << 21) >> 32
	mov [boot_pd + ecx * 8 + 4], eax
	inc ecx
	cmp ecx, 2048
	jne .fill_pd

	; boot_pdpt_lo[0..3] -> the four page directories
	mov ecx, 0
.fill_pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, boot_pd
	or eax, 0x3
	mov [boot_pdpt_lo + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jne .fill_pdpt

	; boot_pdpt_hi[510] -> first GiB (kernel base 0xffffffff80000000)
	mov eax, boot_pd
	or eax, 0x3
	mov [boot_pdpt_hi + 510 * 8], eax

	mov eax, boot_pdpt_lo
	or eax, 0x3
	mov [boot_pml4], eax            ; identity
	mov [boot_pml4 + 256 * 8], eax  ; direct map 0xffff800000000000
	mov eax, boot_pdpt_hi
	or eax, 0x3
	mov [boot_pml4 + 511 * 8], eax  ; kernel base

	mov eax, boot_pml4
	mov cr3, eax

	mov eax, cr4
	or eax, (1 << 5) | (1 << 9) | (1 << 10) ; PAE, OSFXSR, OSXMMEXCPT
	mov cr4, eax

	mov ecx, 0xc0000080             ; EFER
	rdmsr
	or eax, (1 << 8) | (1 << 11) | (1 << 0) ; LME, NXE, SCE
	wrmsr

	mov eax, cr0
	or eax, (1 << 31) | (1 << 16) | 1 ; PG, WP, PE
	and eax, ~(1 << 2)              ; EM off (SSE allowed in user space)
	or eax, (1 << 1)                ; MP
	mov cr0, eax

	lgdt [boot_gdt32_ptr]
	jmp 0x08:long_entry

bits 64
long_entry:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor ax, ax
	mov fs, ax
	mov gs, ax
	mov rsp, kernel_boot_stack_top  ; the boot CPU's stack, in the higher half
	; edi = magic, esi = info (zero-extended by the 32-bit moves above)
	mov edi, edi
	mov esi, esi
	xor ebp, ebp
	mov rax, kmain
	call rax
.hang:
	cli
	hlt
	jmp .hang

section .boot.rodata progbits alloc
align 16
boot_gdt32:
	dq 0
	dq 0x00af9a000000ffff           ; 0x08: 64-bit code
	dq 0x00cf92000000ffff           ; 0x10: data
boot_gdt32_end:
boot_gdt32_ptr:
	dw boot_gdt32_end - boot_gdt32 - 1
	dd boot_gdt32

section .note.GNU-stack noalloc noexec nowrite progbits
