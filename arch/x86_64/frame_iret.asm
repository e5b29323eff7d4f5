; arch/x86_64/frame_iret.asm - arch_frame_iret(regs): return straight to
; the root-mode context a trap frame describes, with iretq.
;
; For the NMI handler (exceptions.c): an NMI can arrive while a VM exit is
; being handled, when the per-CPU "return to guest" flag is already set, so
; the common trap_return (which would VM-enter with the NMI's frame) must
; not be used. The frame is the one trap_common built on the NMI's IST stack;
; everything the C handler pushed below it is dropped.

global arch_frame_iret

%include "frame.inc"

section .text
bits 64

arch_frame_iret:
    mov rsp, rdi
    POP_GPRS
    add rsp, 16                     ; vector and error code
    iretq
