/*
 * tests/guests/lib/isr.S - the 256 interrupt entry stubs of the C test
 * guests' IDT (lib/desc.c): each pushes an error code (0 when the CPU does
 * not push one) and its vector, and enters t_isr_common, which saves the
 * general registers, calls t_irq_dispatch(frame) and returns with iret.
 */
	.section .text
	.globl t_isr_table
t_isr_common:
	pusha
	cld
	push %esp
	call t_irq_dispatch
	add $4, %esp
	popa
	add $8, %esp
	iret


	.altmacro
	.macro stub v
	.align 16
t_isr_\v:
	.if !(\v == 8 || (\v >= 10 && \v <= 14) || \v == 17 || \v == 21 || \v == 29 || \v == 30)
	push $0
	.endif
	push $\v
	jmp t_isr_common
	.endm

	.set i, 0
	.rept 256
	stub %i
	.set i, i + 1
	.endr

	.section .rodata
	.align 4
	.macro entry v
	.long t_isr_\v
	.endm
t_isr_table:
	.set i, 0
	.rept 256
	entry %i
	.set i, i + 1
	.endr
	.section .note.GNU-stack, "", @progbits
