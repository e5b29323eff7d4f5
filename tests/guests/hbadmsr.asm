; tests/guests/hbadmsr.asm - a hostile guest whose MSR values real CPUs
; refuse (issue 10): WRMSR of TSC_AUX and SFMASK with reserved high bits
; (#GP, SDM Vol. 4 and WRMSR: reserved bits), RDPMC of an invalid counter
; (#GP(0), SDM RDPMC), IA32_DS_AREA readable when CPUID.1:EDX.DS[21] says
; Debug Store exists, and last EFER with a reserved bit (#GP, not a failed
; VM entry). Each must raise the fault in the guest and nothing else.
%include "rom16.inc"

start:
    T_INIT
    ENTER_PM32
    ENTER_LONG64
    mov ecx, 0xC0000103
    mov eax, 1
    mov edx, 1
    T_FAULT 13, 'tsc-aux-reserved-bits-gp', wrmsr
    mov ecx, 0xC0000084
    mov eax, 0
    mov edx, 1
    T_FAULT 13, 'sfmask-reserved-bits-gp', wrmsr
    mov ecx, 0x12345
    T_FAULT 13, 'rdpmc-invalid-counter-gp', rdpmc
    mov eax, 1
    cpuid
    bt edx, 21
    jnc .nods
    mov ecx, 0x600
    T_NOFAULT 'ds-area-works-when-advertised', rdmsr
    jmp .efer
.nods:
    T_PASS 'ds-area-works-when-advertised'
.efer:
    mov ecx, 0xC0000080
    rdmsr
    bts eax, 2
    T_FAULT 13, 'efer-reserved-bit-gp', wrmsr
    T_DONE

ROM_END
