/*
 * tests/guests/lib/crt0.S - entry of a C test guest, a Multiboot (v1)
 * ELF32 kernel: the Multiboot header (flags: page-aligned modules, memory
 * information), then the entry the loader jumps to in 32-bit protected
 * mode with EAX = 0x2BADB002 and EBX = the information's address. Sets a
 * stack, calls t_main(magic, info) and ends through t_exit() with the
 * number of failed checks (isa-debug-exit; a halt loop if that returns).
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text
	.globl _start
	.type _start, @function
_start:
	mov $t_stack_top, %esp
	push %ebx
	push %eax
	call t_main
	push %eax
	call t_exit
1:	cli
	hlt
	jmp 1b

	.section .bss
	.align 16
t_stack:
	.skip 16384
t_stack_top:
	.section .note.GNU-stack, "", @progbits
