; tests/guests/hcpu.asm - a hostile guest in 64-bit mode: RDMSR of every
; MSR in 0-0xFFF, 0x40000000-0x400000FF and 0xC0000000-0xC00001FF (those
; it may read are written back with the value read; the others raise #GP),
; the C0000000 range a second time (the hypervisor reports each unknown MSR
; once); every CR4 bit and the CR0 bits set one at a time, CR3 with a
; reserved address bit (each either takes or raises #GP; the old value is
; put back); every VMX instruction, GETSEC and VMFUNC (#UD); INVD and
; WBINVD. It ends with HLT
; and interrupts off: it sleeps for good without taking the CPU from the
; guest next to it.
%include "rom16.inc"

%macro SCAN 2                      ; first MSR, count
    mov r12d, %1
    mov r13d, %1 + %2
%%next:
    mov dword [abs T_RESUME], (%%skip - $$) + T_ROM_BASE
    mov ecx, r12d
    rdmsr
    wrmsr
%%skip:
    inc r12d
    cmp r12d, r13d
    jb %%next
%endmacro

%macro FLIP 2                      ; cr register (cr0/cr4), bit
    mov rbx, %1
    mov rax, rbx
    bts rax, %2
    mov dword [abs T_RESUME], (%%back - $$) + T_ROM_BASE
    mov %1, rax
%%back:
    mov dword [abs T_RESUME], (%%out - $$) + T_ROM_BASE
    mov %1, rbx
%%out:
%endmacro

start:
    T_INIT
    ENTER_PM32
    ENTER_LONG64
    T_PUTS `64-bit; scanning MSRs\n`
    SCAN 0, 0x1000
    SCAN 0x40000000, 0x100
    SCAN 0xC0000000, 0x200
    SCAN 0xC0000000, 0x200
    T_PASS 'msr-scan-done'
%assign b 0
%rep 32
  %if b != 5 && b != 7 && b != 12 && b != 17
    FLIP cr4, b
  %endif
%assign b b+1
%endrep
    FLIP cr0, 16
    FLIP cr0, 18
    FLIP cr0, 29
    FLIP cr0, 30
    FLIP cr0, 40
    FLIP cr4, 40
    T_PASS 'cr-bits-done'
    mov rax, cr3
    mov rbx, rax
    bts rax, 52
    T_FAULT 13, 'cr3-reserved-bit-gp', mov cr3, rax
    mov cr3, rbx
    T_FAULT 6, 'vmxon-ud', vmxon [abs 0x600]
    T_FAULT 6, 'vmlaunch-ud', vmlaunch
    T_FAULT 6, 'vmresume-ud', vmresume
    T_FAULT 6, 'vmxoff-ud', vmxoff
    T_FAULT 6, 'vmclear-ud', vmclear [abs 0x600]
    T_FAULT 6, 'vmptrld-ud', vmptrld [abs 0x600]
    T_FAULT 6, 'vmptrst-ud', vmptrst [abs 0x600]
    T_FAULT 6, 'vmread-ud', vmread rax, rbx
    T_FAULT 6, 'vmwrite-ud', vmwrite rax, rbx
    T_FAULT 6, 'invept-ud', invept rax, [abs 0x600]
    T_FAULT 6, 'invvpid-ud', invvpid rax, [abs 0x600]
    T_FAULT 6, 'vmfunc-ud', db 0x0F, 0x01, 0xD4
    T_FAULT 6, 'getsec-ud', db 0x0F, 0x37
    T_NOFAULT 'invd-survives', invd
    T_NOFAULT 'wbinvd-survives', wbinvd
    T_PUTS `HLT with interrupts off\n`
    cli
    hlt
    T_FAIL 'hlt-if0-sleeps', 'woke up'
    T_DONE

ROM_END
