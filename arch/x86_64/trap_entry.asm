; arch/x86_64/trap_entry.asm - the common trap stub.
;
; Owns the 256 IDT entry stubs and trap_common, which turns every exception
; and interrupt into one struct arch_regs frame (arch/x86_64/regs.h) on the
; stack the IDT's IST slot selected (the per-CPU interrupt or exception
; stack), calls arch_trap_handler(regs) in C, and returns with iretq to
; whatever context the frame then describes. The VM-exit entry (vmx/) builds
; the same frame.

global trap_stub_table, trap_return
extern arch_trap_handler, vmx_enter_from_frame

PERCPU_RETURN_TO_GUEST equ 0x10

%include "frame.inc"

section .text
bits 64

; vectors for which the CPU pushes an error code
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

align 16
trap_stubs:
%assign v 0
%rep 256
align 16
trap_stub_ %+ v:
%if HAS_ERROR(v)
    push qword v
%else
    push qword 0
    push qword v
%endif
    jmp trap_common
%assign v v + 1
%endrep

align 16
trap_common:
    PUSH_GPRS
    cld
    mov rdi, rsp
    call arch_trap_handler
    ; fall through

; Return into whatever the frame at RSP now describes: a root-mode context
; (iretq) or, when the scheduler switched to a normal VCPU, its guest.
trap_return:
    cmp qword [fs:PERCPU_RETURN_TO_GUEST], 0
    jne vmx_enter_from_frame
    POP_GPRS
    add rsp, 16                     ; vector and error code
    iretq

section .rodata
align 8
trap_stub_table:
%assign v 0
%rep 256
    dq trap_stub_ %+ v
%assign v v + 1
%endrep
