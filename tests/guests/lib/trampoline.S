/*
 * tests/guests/lib/trampoline.S - where an application processor starts
 * after INIT-SIPI-SIPI (lib/smp.c): t_tramp_start..t_tramp_end is copied to
 * a page below 1 MiB (the SIPI vector's page) and runs in real mode with CS
 * = that page: it loads the library's GDT from the descriptor patched into
 * the copy at t_tramp_gdt, enters protected mode (caches on) and jumps to
 * t_ap_entry32 in the kernel image, which loads the flat segments and the
 * stack lib/smp.c left in t_ap_stack, and calls t_ap_main().
 */
	.section .text
	.code16
	.globl t_tramp_start, t_tramp_end, t_tramp_gdt
t_tramp_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl t_tramp_gdt - t_tramp_start
	mov %cr0, %eax
	and $0x9FFFFFFF, %eax		/* CD = NW = 0 */
	or $1, %eax			/* PE */
	mov %eax, %cr0
	ljmpl $0x08, $t_ap_entry32
	.align 4
t_tramp_gdt:
	.word 0
	.long 0
t_tramp_end:

	.code32
t_ap_entry32:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov t_ap_stack, %esp
	call t_ap_main
1:	cli
	hlt
	jmp 1b
	.section .note.GNU-stack, "", @progbits
