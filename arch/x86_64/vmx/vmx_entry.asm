; arch/x86_64/vmx/vmx_entry.asm - VM exits into, and VM entries out of, the
; common trap frame.
;
; vmx_exit_entry is HOST_RIP of every VMCS. HOST_RSP is the top of the
; per-CPU interrupt stack minus the 5 qwords a CPU pushes on an interrupt,
; so the guest's GPRs land in a struct arch_regs at exactly the place where
; an interrupt frame would be. C (vmx_exit_handler, vmx_exit_finish)
; dispatches the exit and runs the scheduler; then the same stub enters the VCPU that is current
; (falling into vmx_enter_from_frame), or trap_return returns to an orphan.
; vmx_enter_from_frame restores the GPRs and does VMLAUNCH or VMRESUME; if
; the VM entry fails, the frame is rebuilt and vmx_entry_failed() decides.

global vmx_exit_entry, vmx_enter_from_frame
extern vmx_exit_handler, vmx_exit_finish, vmx_entry_failed, trap_return, vmx_prepare_entry

PERCPU_RETURN_TO_GUEST equ 0x10    ; percpu.h: return_to_guest
PERCPU_VMX_LAUNCH equ 0x18
PERCPU_GUEST_VCPU equ 0x108         ; percpu.h: guest_vcpu (offsets checked in vmx_irq.c)
PERCPU_PREEMPT_GEN equ 0x118        ; preempt_generation
PERCPU_TIMER_GEN  equ 0x120         ; timer_gen (a pointer)
PERCPU_GUEST_TICKS equ 0x158        ; percpu.h: guest_ticks
VCPU_IRQ_PENDING  equ 0x21c         ; struct vmm_vcpu: irq.pending
VMX_EXIT_VECTOR   equ 0x100
VMX_FAIL_VECTOR   equ 0x101

%include "frame.inc"

section .text
bits 64

align 16
vmx_exit_entry:
    push qword 0                    ; error code slot
    push qword VMX_EXIT_VECTOR
    PUSH_GPRS
    ; no CLD: a VM exit leaves RFLAGS = 2 (SDM 28.5.3), DF is clear
    mov rdi, [fs:PERCPU_GUEST_VCPU] ; vmx_exit_handler(vcpu, regs), the
    mov rsi, rsp                    ;  handlers' arguments
    call vmx_exit_handler           ; dispatch; returns the handler's answer
    mov edi, eax
    call vmx_exit_finish            ; RIP, statistics, timers, scheduler
    ; back into a guest unless the scheduler chose an orphan (trap_return
    ; decides that case); falls through into the VM entry
    cmp qword [fs:PERCPU_RETURN_TO_GUEST], 0
    je trap_return

vmx_enter_from_frame:
    ; pending guest interrupts, or the preemption timer to program: the two
    ; tests here, the work in vmx_prepare_entry (vmx_irq.c)
    mov rax, [fs:PERCPU_TIMER_GEN]
    mov rax, [rax]
    cmp [fs:PERCPU_PREEMPT_GEN], rax
    jne .prepare
    mov rax, [fs:PERCPU_GUEST_VCPU]
    cmp dword [rax + VCPU_IRQ_PENDING], 0
    jne .prepare
.prepared:
    rdtsc                           ; guest time starts: guest_ticks -= TSC
    shl rdx, 32                     ; (the exit adds its TSC; rax, rdx are
    or rax, rdx                     ;  the guest's, reloaded below)
    sub [fs:PERCPU_GUEST_TICKS], rax
    cmp qword [fs:PERCPU_VMX_LAUNCH], 0
    POP_GPRS
    lea rsp, [rsp + 16]             ; vector, error; keeps the flags of the cmp
    jne .launch
    vmresume
    jmp .failed
.launch:
    ; launched from here on: the next entry of this VMCS is VMRESUME (the
    ; flag is set again when VMLAUNCH fails, and by a VCPU switch)
    mov qword [fs:PERCPU_VMX_LAUNCH], 0
    vmlaunch
    mov qword [fs:PERCPU_VMX_LAUNCH], 1
.failed:
    ; still in root mode: the VM entry failed (VMfailValid/VMfailInvalid)
    push qword 0
    push qword VMX_FAIL_VECTOR
    PUSH_GPRS
    cld
    mov rdi, rsp
    call vmx_entry_failed
    jmp trap_return
.prepare:
    call vmx_prepare_entry
    jmp .prepared
