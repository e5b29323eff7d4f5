; tests/guests/cpuid.asm - the curated CPUID view (vmx_exit_cpuid.c): the
; hypervisor bit and signature leaves, the features that are not
; virtualised hidden, the topology of one VCPU. In real mode, then leaf 1
; and the signature again from 64-bit mode.
%include "rom16.inc"

%macro CPUID 2                    ; leaf, subleaf
    mov eax, %1
    mov ecx, %2
    cpuid
%endmacro

AVX512_EBX equ (1 << 16) | (1 << 17) | (1 << 21) | (1 << 28) | (1 << 30) | (1 << 31)

%macro BIT_CLEAR 3                ; register, bit, name
    bt %1, %2
    T_CHECK nc, %3, {'bit set'}
%endmacro

%macro BIT_SET 3
    bt %1, %2
    T_CHECK c, %3, {'bit clear'}
%endmacro

start:
    T_INIT

    CPUID 1, 0
    BIT_SET ecx, 31, 'cpuid-1-ecx-hypervisor'
    BIT_CLEAR ecx, 5, 'cpuid-1-ecx-vmx-hidden'
    BIT_CLEAR ecx, 6, 'cpuid-1-ecx-smx-hidden'
    BIT_CLEAR ecx, 3, 'cpuid-1-ecx-monitor-hidden'
    BIT_CLEAR ecx, 21, 'cpuid-1-ecx-x2apic-hidden'
    BIT_CLEAR ecx, 15, 'cpuid-1-ecx-pdcm-hidden'
    BIT_CLEAR ecx, 24, 'cpuid-1-ecx-tsc-deadline-hidden'
    BIT_CLEAR ecx, 27, 'cpuid-1-ecx-osxsave-follows-cr4'
    BIT_CLEAR edx, 9, 'cpuid-1-edx-apic-hidden'
    BIT_CLEAR edx, 7, 'cpuid-1-edx-mce-hidden'
    BIT_CLEAR edx, 14, 'cpuid-1-edx-mca-hidden'
    BIT_CLEAR edx, 28, 'cpuid-1-edx-htt-hidden'
    BIT_SET edx, 0, 'cpuid-1-edx-fpu-shown'
    BIT_SET edx, 4, 'cpuid-1-edx-tsc-shown'
    mov eax, ebx
    shr eax, 16
    T_EQ eax, 0x0001, 'cpuid-1-ebx-one-logical-cpu-apic-id-0'

    CPUID 0x40000000, 0
    T_EQ eax, 0x40000001, 'cpuid-40000000-max-leaf'
    T_EQ ebx, 'Xvis', 'cpuid-40000000-signature-ebx'
    T_EQ ecx, 'orX8', 'cpuid-40000000-signature-ecx'
    T_EQ edx, '6VMM', 'cpuid-40000000-signature-edx'
    CPUID 0x40000001, 0
    T_EQ eax, 1, 'cpuid-40000001-abi-version'
    CPUID 0x40000002, 0
    or eax, ebx
    or eax, ecx
    or eax, edx
    T_EQ eax, 0, 'cpuid-40000002-zero'

    CPUID 0xA, 0
    or eax, ebx
    or eax, ecx
    or eax, edx
    T_EQ eax, 0, 'cpuid-a-pmu-zero'
    CPUID 5, 0
    or eax, ebx
    or eax, ecx
    or eax, edx
    T_EQ eax, 0, 'cpuid-5-monitor-zero'
    CPUID 6, 0
    or eax, ebx
    or eax, ecx
    or eax, edx
    T_EQ eax, 0, 'cpuid-6-power-zero'
    CPUID 7, 0
    T_EQ eax, 0, 'cpuid-7-eax-zero'
    T_EQ ecx, 0, 'cpuid-7-ecx-zero'
    T_EQ edx, 0, 'cpuid-7-edx-zero'
    and ebx, ~((1 << 0) | (1 << 1) | (1 << 3) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 18) | (1 << 19) | (1 << 20) | (1 << 23) | (1 << 24) | (1 << 29) | AVX512_EBX)
    T_EQ ebx, 0, 'cpuid-7-ebx-only-shown-bits'
    ; AVX-512 (F) shown exactly when XCR0 may enable its three components
    CPUID 7, 0
    mov esi, ebx
    shr esi, 16
    and esi, 1
    CPUID 0xD, 0
    shr eax, 5
    and eax, 7
    cmp eax, 7
    sete al
    movzx eax, al
    T_EQ eax, esi, 'cpuid-7-avx512f-iff-xcr0-avx512'

    ; audit (issue 10): no feature whose registers fault
    CPUID 1, 0
    BIT_CLEAR edx, 21, 'cpuid-1-edx-ds-hidden'
    BIT_CLEAR edx, 18, 'cpuid-1-edx-psn-hidden'
    BIT_CLEAR edx, 31, 'cpuid-1-edx-pbe-hidden'
    BIT_CLEAR ecx, 2, 'cpuid-1-ecx-dtes64-hidden'
    BIT_CLEAR ecx, 4, 'cpuid-1-ecx-ds-cpl-hidden'
    BIT_CLEAR ecx, 11, 'cpuid-1-ecx-sdbg-hidden'
    BIT_CLEAR ecx, 14, 'cpuid-1-ecx-xtpr-hidden'
    ; XCR0 bits offered: x87 always, nothing beyond x87 SSE AVX AVX-512
    CPUID 0xD, 0
    BIT_SET eax, 0, 'cpuid-d-x87-offered'
    and eax, ~0xE7
    or eax, edx
    T_EQ eax, 0, 'cpuid-d-only-switched-components'
    ; no XSAVES, no IA32_XSS bits, no XFD
    CPUID 0xD, 1
    and eax, ~7
    T_EQ eax, 0, 'cpuid-d1-no-xsaves'
    or ecx, edx
    T_EQ ecx, 0, 'cpuid-d1-no-xss-bits'
    ; MPX and PKRU components: empty subleaves
    CPUID 0xD, 3
    or eax, ebx
    T_EQ eax, 0, 'cpuid-d3-mpx-empty'
    CPUID 0xD, 9
    or eax, ebx
    T_EQ eax, 0, 'cpuid-d9-pkru-empty'
    ; PT, RDT, PSN leaves zero
    CPUID 0x14, 0
    or eax, ebx
    or eax, ecx
    or eax, edx
    T_EQ eax, 0, 'cpuid-14-pt-zero'
    CPUID 0x10, 0
    or eax, ebx
    or eax, ecx
    or eax, edx
    T_EQ eax, 0, 'cpuid-10-rdt-zero'
    CPUID 3, 0
    or eax, ebx
    or eax, ecx
    or eax, edx
    T_EQ eax, 0, 'cpuid-3-psn-zero'
    CPUID 0x80000001, 0
    BIT_CLEAR ecx, 2, 'cpuid-80000001-ecx-svm-hidden'
    BIT_SET edx, 29, 'cpuid-80000001-edx-long-mode-shown'

    ; a leaf beyond the basic maximum reads zero
    CPUID 0, 0
    lea eax, [eax + 1]
    cpuid
    or eax, ebx
    or eax, ecx
    or eax, edx
    T_EQ eax, 0, 'cpuid-beyond-max-zero'

    ; OSXSAVE follows the guest's CR4.OSXSAVE (if the CPU has XSAVE)
    CPUID 1, 0
    bt ecx, 26
    jnc .no_xsave
    mov eax, cr4
    or eax, 1 << 18
    mov cr4, eax
    mov eax, cr4
    BIT_SET eax, 18, 'cpuid-cr4-osxsave-reads-back-set'
    CPUID 1, 0
    BIT_SET ecx, 27, 'cpuid-1-ecx-osxsave-follows-cr4-set'
    mov eax, cr4
    and eax, ~(1 << 18)
    mov cr4, eax
    jmp .xsave_done
.no_xsave:
    T_FAIL 'cpuid-1-ecx-osxsave-follows-cr4-set', 'no XSAVE in CPUID'
.xsave_done:

    ENTER_PM32
    ENTER_LONG64
    mov eax, 0x40000000
    xor ecx, ecx
    cpuid
    T_EQ ebx, 'Xvis', 'cpuid-long-mode-signature'
    mov eax, 1
    cpuid
    bt ecx, 31
    T_CHECK c, 'cpuid-long-mode-hypervisor-bit', 'bit clear'
    T_DONE

ROM_END
