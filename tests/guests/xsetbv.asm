; tests/guests/xsetbv.asm - hostile XCR0, CR4 and CR0 values (issue 10
; finding 1): every value the SDM makes XSETBV or MOV CR refuse must give
; #GP(0) in the guest and leave XCR0/CR4 as they were; none may reach the
; host CPU (XSETBV with EDX:EAX = 0x27, AVX-512 bits without the rest of
; their group, once panicked the hypervisor). Then the values that are
; valid: XCR0 = x87|SSE|AVX and, when CPUID 0xD offers it, AVX-512.
; XSAVES/XRSTORS (#UD) and IA32_XSS (#GP) are not offered.
%include "rom16.inc"

%macro XSB_GP 3                   ; name, ECX, EDX:EAX (64-bit immediate)
    mov ecx, %2
    mov eax, (%3) & 0xFFFFFFFF
    mov edx, (%3) >> 32
    T_FAULT 13, %1, {xsetbv}
%endmacro

start:
    T_INIT
    ENTER_PM32
    mov eax, cr4
    or eax, (1 << 18) | (1 << 9)  ; OSXSAVE, OSFXSR
    mov cr4, eax

    XSB_GP 'xsetbv-0x27-avx512-partial-gp', 0, 0x27
    XSB_GP 'xsetbv-0x47-zmm-hi256-alone-gp', 0, 0x47
    XSB_GP 'xsetbv-0x87-hi16-zmm-alone-gp', 0, 0x87
    XSB_GP 'xsetbv-0x67-avx512-two-of-three-gp', 0, 0x67
    XSB_GP 'xsetbv-0xe3-avx512-without-avx-gp', 0, 0xE3
    XSB_GP 'xsetbv-0x5-avx-without-sse-gp', 0, 0x5
    XSB_GP 'xsetbv-0x2-without-x87-gp', 0, 0x2
    XSB_GP 'xsetbv-0x0-gp', 0, 0x0
    XSB_GP 'xsetbv-0x1b-mpx-not-offered-gp', 0, 0x1B
    XSB_GP 'xsetbv-0x203-pkru-not-offered-gp', 0, 0x203
    XSB_GP 'xsetbv-0x103-bit8-gp', 0, 0x103
    XSB_GP 'xsetbv-bit63-gp', 0, 0x8000000000000003
    XSB_GP 'xsetbv-xcr1-gp', 1, 0x1
    XSB_GP 'xsetbv-ecx-ffffffff-gp', 0xFFFFFFFF, 0x3
    T_EQ [ss:T_ERRC], 0, 'xsetbv-gp-error-code-zero'
    xor ecx, ecx
    xgetbv
    T_EQ eax, 1, 'xcr0-unchanged-after-gps'

    ; CR4 bits of features the guest's CPUID does not show
    mov eax, cr4
    or eax, 1 << 22               ; PKE
    T_FAULT 13, 'cr4-pke-gp', {mov cr4, eax}
    mov eax, cr4
    or eax, 1 << 11               ; UMIP
    T_FAULT 13, 'cr4-umip-gp', {mov cr4, eax}
    mov eax, cr4
    or eax, 1 << 17               ; PCIDE outside IA-32e mode
    T_FAULT 13, 'cr4-pcide-outside-long-mode-gp', {mov cr4, eax}
    mov eax, cr4
    T_EQ eax, (1 << 18) | (1 << 9), 'cr4-unchanged-after-gps'

    ; the valid values
    mov eax, 0xD
    xor ecx, ecx
    cpuid
    mov esi, eax                  ; XCR0 bits offered
    test esi, 4
    jnz .avx
    T_FAIL 'xsetbv-avx', 'AVX not offered in CPUID 0xD'
    jmp .avx_done
.avx:
    xor ecx, ecx
    xor edx, edx
    mov eax, 7
    T_NOFAULT 'xsetbv-avx', {xsetbv}
    xor ecx, ecx
    xgetbv
    T_EQ eax, 7, 'xgetbv-avx'
.avx_done:
    and esi, 0xE0
    cmp esi, 0xE0
    je .avx512
    T_FAIL 'xsetbv-avx512', 'AVX-512 not offered in CPUID 0xD'
    jmp .avx512_done
.avx512:
    xor ecx, ecx
    xor edx, edx
    mov eax, 0xE7
    T_NOFAULT 'xsetbv-avx512', {xsetbv}
    xor ecx, ecx
    xgetbv
    T_EQ eax, 0xE7, 'xgetbv-avx512'
.avx512_done:

    ENTER_LONG64
    mov ecx, 0
    mov eax, 0x27
    xor edx, edx
    T_FAULT 13, 'xsetbv-0x27-long-mode-gp', {xsetbv}
    mov rax, cr0
    bts rax, 32
    T_FAULT 13, 'cr0-bit32-long-mode-gp', {mov cr0, rax}
    mov rax, cr0
    btr rax, 31
    T_FAULT 13, 'cr0-clear-pg-long-mode-gp', {mov cr0, rax}
    mov rax, cr4
    btr rax, 5
    T_FAULT 13, 'cr4-clear-pae-long-mode-gp', {mov cr4, rax}
    ; supervisor state is not offered: XSAVES/XRSTORS #UD, IA32_XSS #GP
    xor edx, edx
    mov eax, 3
    T_FAULT 6, 'xsaves-ud', {xsaves [abs 0x2000]}
    T_FAULT 6, 'xrstors-ud', {xrstors [abs 0x2000]}
    mov ecx, 0xDA0
    T_FAULT 13, 'rdmsr-ia32-xss-gp', {rdmsr}
    mov ecx, 0xDA0
    xor eax, eax
    xor edx, edx
    T_FAULT 13, 'wrmsr-ia32-xss-gp', {wrmsr}
    T_DONE

ROM_END
