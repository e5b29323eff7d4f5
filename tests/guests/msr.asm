; tests/guests/msr.asm - RDMSR/WRMSR (vmx_exit_msr.c): the allow-list read
; and written back, the TSC moved by WRMSR, FEATURE_CONTROL locked, and an
; unknown MSR answered with #GP that reaches the guest's own handler - in
; 32-bit protected mode (IDT) and in real mode (IVT vector 13).
%include "rom16.inc"

%macro RDMSR 1
    mov ecx, %1
    xor eax, eax
    xor edx, edx
    rdmsr
%endmacro

start:
    T_INIT

    ; PAT: the reset value, then a new valid value read back
    RDMSR 0x277
    T_EQ edx, 0x00070406, 'msr-pat-reset-high'
    T_EQ eax, 0x00070406, 'msr-pat-reset-low'
    WRMSR64 0x277, 0x00010506, 0x07040100
    RDMSR 0x277
    T_EQ edx, 0x00010506, 'msr-pat-write-read-high'
    T_EQ eax, 0x07040100, 'msr-pat-write-read-low'

    WRMSR64 0x174, 0, 0x1234
    RDMSR 0x174
    T_EQ eax, 0x1234, 'msr-sysenter-cs'
    WRMSR64 0x175, 0, 0x00007000
    RDMSR 0x175
    T_EQ eax, 0x7000, 'msr-sysenter-esp'
    WRMSR64 0x176, 0xFFFF8000, 0x00401000
    RDMSR 0x176
    T_EQ edx, 0xFFFF8000, 'msr-sysenter-eip-high'
    T_EQ eax, 0x00401000, 'msr-sysenter-eip-low'

    ; MISC_ENABLE: fast strings (bit 0) always read set
    RDMSR 0x1A0
    T_EQ eax, 1, 'msr-misc-enable-reset'
    WRMSR64 0x1A0, 0, 0x00000080
    RDMSR 0x1A0
    T_EQ eax, 0x81, 'msr-misc-enable-write-read'

    RDMSR 0x3A
    T_EQ eax, 1, 'msr-feature-control-locked-vmx-off'
    T_EQ edx, 0, 'msr-feature-control-high'
    RDMSR 0x1B
    T_EQ eax, 0xFEE00100, 'msr-apic-base-bsp'
    RDMSR 0xFE
    T_EQ eax, 0, 'msr-mtrrcap-zero'
    RDMSR 0x8B
    T_EQ edx, 0, 'msr-bios-sign-id-zero'
    WRMSR64 0x2FF, 0, 0xC06
    RDMSR 0x2FF
    T_EQ eax, 0xC06, 'msr-mtrr-def-type'
    RDMSR 0xC0000080
    T_EQ eax, 0, 'msr-efer-reset'
    WRMSR64 0xC0000081, 0x00230010, 0
    RDMSR 0xC0000081
    T_EQ edx, 0x00230010, 'msr-star'
    WRMSR64 0xC0000102, 0xFFFF8000, 0x12345000
    RDMSR 0xC0000102
    T_EQ edx, 0xFFFF8000, 'msr-kernel-gs-base'
    WRMSR64 0xC0000100, 0, 0x00ABC000
    RDMSR 0xC0000100
    T_EQ eax, 0x00ABC000, 'msr-fs-base'

    ; TSC_AUX: loaded into the CPU while the VCPU runs; RDTSCP reads it
    WRMSR64 0xC0000103, 0, 0x00000ACE
    RDMSR 0xC0000103
    T_EQ eax, 0xACE, 'msr-tsc-aux'
    xor ecx, ecx
    rdtscp
    T_EQ ecx, 0xACE, 'msr-tsc-aux-rdtscp'

    ; TSC: WRMSR moves what RDTSC and RDMSR read
    WRMSR64 0x10, 0x00000005, 0x00000000
    rdtsc
    T_EQ edx, 5, 'msr-tsc-write-moves-rdtsc-high'
    cmp eax, 0x01000000
    T_CHECK b, 'msr-tsc-write-moves-rdtsc-low', 'low half not near 0 after the write'
    mov ebx, eax
    RDMSR 0x10
    T_EQ edx, 5, 'msr-tsc-rdmsr-high'
    cmp eax, ebx
    T_CHECK a, 'msr-tsc-rdmsr-advances', 'TSC did not advance'

    ENTER_PM32
    T_FAULT 13, 'msr-unknown-rdmsr-gp-pm32', {RDMSR 0x12345}
    T_EQ [ss:T_ERRC], 0, 'msr-unknown-rdmsr-gp-pm32-error-code'
    T_FAULT 13, 'msr-unknown-wrmsr-gp-pm32', {WRMSR64 0x12345, 0, 1}
    T_FAULT 13, 'msr-sysenter-eip-noncanonical-gp-pm32', {WRMSR64 0x176, 0x00008000, 0}
    RDMSR 0x277
    T_EQ eax, 0x07040100, 'msr-pat-unchanged-after-gp'

    LEAVE_PM32
    ; the same in real mode: #GP without an error code through IVT vector 13
    T_FAULT 13, 'msr-feature-control-write-gp-real', {WRMSR64 0x3A, 0, 5}
    T_FAULT 13, 'msr-pat-invalid-type-gp-real', {WRMSR64 0x277, 0, 0x02}
    T_FAULT 13, 'msr-unknown-rdmsr-gp-real', {RDMSR 0x12345}
    T_FAULT 13, 'msr-unknown-wrmsr-gp-real', {WRMSR64 0x12345, 0, 1}

    T_DONE

ROM_END
