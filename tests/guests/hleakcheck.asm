; tests/guests/hleakcheck.asm - the reader of the register-leak test,
; started on the same CPU right after hleakset.asm shut down with markers
; in every register class: each class must hold its reset value (SDM
; Vol. 3 9.1.1, Table 9-1), never the leaker's markers. GPRs are saved at
; the first instruction, before anything touches them (R8-R15 are checked
; in 64-bit mode, where nothing before has used them); x87 and SSE through
; FXSAVE; the upper halves of YMM0-15, ZMM0-31 and K0-7 after XSETBV with
; the same XCR0 as the leaker (enabling a component does not change its
; registers); DR0-3/DR6/DR7, CR2 and the MSRs the leaker wrote.
%include "rom16.inc"

MARKLO equ 0x5EC2E7A1
SAVE equ 0x580                     ; GPRs at reset: ebx ecx esi edi ebp
FXAREA equ 0x1000                  ; 512 bytes, 16-aligned
BUF equ 0x600

%macro ZERO_BUF_CHECK 3            ; bytes at BUF.., count, name: all zero
    lea rsi, [abs %1]
    mov ecx, %2
    xor eax, eax
%%l:
    or al, [rsi]
    inc rsi
    dec ecx
    jnz %%l
    test al, al
    T_CHECK z, %3, 'leaker markers found'
%endmacro

%macro RDMSR_EQ 3                  ; msr, expected low 32 bits, name
    mov ecx, %1
    rdmsr
    or eax, edx
    T_EQ eax, %2, %3
%endmacro

start:
    mov [ss:SAVE], ebx
    mov [ss:SAVE + 4], ecx
    mov [ss:SAVE + 8], esi
    mov [ss:SAVE + 12], edi
    mov [ss:SAVE + 16], ebp
    T_INIT
    mov eax, [ss:SAVE]
    or eax, [ss:SAVE + 4]
    or eax, [ss:SAVE + 8]
    or eax, [ss:SAVE + 12]
    or eax, [ss:SAVE + 16]
    T_EQ eax, 0, 'leak-gpr-low-zero-at-reset'
    ENTER_PM32
    ENTER_LONG64
    mov rax, r8
    or rax, r9
    or rax, r10
    or rax, r11
    or rax, r12
    or rax, r13
    or rax, r14
    or rax, r15
    mov rbx, rax
    shr rbx, 32
    or eax, ebx
    T_EQ eax, 0, 'leak-gpr-r8-r15-zero'
    mov rax, cr4
    bts rax, 9                     ; OSFXSR
    bts rax, 18                    ; OSXSAVE
    mov cr4, rax
    fxsave [abs FXAREA]
    ; ST0-7 at 32..159, XMM0-15 at 160..415
    ZERO_BUF_CHECK FXAREA + 32, 128, 'leak-x87-registers-zero'
    ZERO_BUF_CHECK FXAREA + 160, 256, 'leak-xmm-registers-zero'
    movzx eax, word [abs FXAREA]
    T_EQ eax, 0x37F, 'leak-x87-control-word-reset'
    mov eax, 0xD
    xor ecx, ecx
    cpuid
    and eax, 0xE7
    mov [abs T_USER], eax
    xor edx, edx
    xor ecx, ecx
    xsetbv
    test byte [abs T_USER], 4
    jz .noavx
%assign i 0
%rep 16
    vextracti128 [abs BUF + i * 16], ymm %+ i, 1
%assign i i+1
%endrep
    ZERO_BUF_CHECK BUF, 256, 'leak-ymm-upper-zero'
    jmp .avx512
.noavx:
    T_PUTS `no AVX in XCR0\n`
    T_PASS 'leak-ymm-upper-zero'
.avx512:
    test byte [abs T_USER], 0xE0
    jz .noavx512
%assign i 0
%rep 32
    vextracti64x4 [abs 0x2000 + i * 32], zmm %+ i, 1
%assign i i+1
%endrep
    ZERO_BUF_CHECK 0x2000, 1024, 'leak-zmm-upper-zero'
%assign i 0
%rep 16
%assign j i + 16
    vmovdqu64 [abs 0x2000 + i * 32], ymm %+ j
%assign i i+1
%endrep
    ZERO_BUF_CHECK 0x2000, 512, 'leak-zmm16-31-zero'
%assign i 0
%rep 8
    kmovq qword [abs 0x2000 + i * 8], k%[i]
%assign i i+1
%endrep
    ZERO_BUF_CHECK 0x2000, 64, 'leak-opmask-zero'
    jmp .dr
.noavx512:
    T_PUTS `no AVX-512 in XCR0\n`
    T_PASS 'leak-zmm-upper-zero'
    T_PASS 'leak-zmm16-31-zero'
    T_PASS 'leak-opmask-zero'
.dr:
    mov rax, dr0
    mov rbx, dr1
    or rax, rbx
    mov rbx, dr2
    or rax, rbx
    mov rbx, dr3
    or rax, rbx
    T_EQ eax, 0, 'leak-dr0-3-zero'
    mov rax, dr6
    T_EQ eax, 0xFFFF0FF0, 'leak-dr6-reset'
    mov rax, dr7
    T_EQ eax, 0x400, 'leak-dr7-reset'
    mov rax, cr2
    mov rbx, rax
    shr rbx, 32
    or eax, ebx
    T_EQ eax, 0, 'leak-cr2-zero'
    RDMSR_EQ 0xC0000102, 0, 'leak-msr-kernel-gs-base-zero'
    RDMSR_EQ 0xC0000081, 0, 'leak-msr-star-zero'
    RDMSR_EQ 0xC0000082, 0, 'leak-msr-lstar-zero'
    RDMSR_EQ 0xC0000083, 0, 'leak-msr-cstar-zero'
    RDMSR_EQ 0xC0000084, 0, 'leak-msr-sfmask-zero'
    RDMSR_EQ 0x174, 0, 'leak-msr-sysenter-cs-zero'
    RDMSR_EQ 0x175, 0, 'leak-msr-sysenter-esp-zero'
    RDMSR_EQ 0x176, 0, 'leak-msr-sysenter-eip-zero'
    mov ecx, 0xC0000103
    rdmsr
    cmp eax, MARKLO
    T_CHECK ne, 'leak-msr-tsc-aux-not-leaker', 'the leaker value'
    mov ecx, 0x277
    rdmsr
    T_EQ eax, 0x00070406, 'leak-msr-pat-reset-low'
    T_EQ edx, 0x00070406, 'leak-msr-pat-reset-high'
    T_DONE

ROM_END
