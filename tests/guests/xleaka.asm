; tests/guests/xleaka.asm - first half of the register-state leak test
; (issue 10 finding 4; xleakb.asm is the second): in 64-bit mode with
; XCR0 = x87|SSE|AVX|AVX-512, loads markers into XMM2, the upper half of
; YMM1, all of ZMM0, mask register K1 and the x87 FCW and stack, yields (another guest runs on
; this CPU), checks its own markers came back, and shuts down with them
; still in the registers.
%include "rom16.inc"

BUF equ 0x2000                    ; 64 bytes of scratch RAM

start:
    T_INIT
    ENTER_PM32
    ENTER_LONG64
    mov rax, cr4
    or eax, (1 << 18) | (1 << 9) | (1 << 10)   ; OSXSAVE, OSFXSR, OSXMMEXCPT
    mov cr4, rax
    xor ecx, ecx
    xor edx, edx
    mov eax, 0xE7
    T_NOFAULT 'xleaka-xsetbv-avx512', {xsetbv}
    ; the markers
    mov eax, 0x5A5A5A5A
    movd xmm3, eax
    vpbroadcastd zmm0, xmm3       ; ZMM0: 16 x 0x5A5A5A5A
    mov eax, 0x3C3C3C3C
    movd xmm3, eax
    vpbroadcastd ymm1, xmm3       ; YMM1: upper half 0x3C3C...
    mov eax, 0x77777777
    movd xmm2, eax                ; XMM2 low dword
    mov eax, 0xA5A5
    kmovw k1, eax
    pxor xmm3, xmm3
    fninit
    fldpi                         ; x87: ST0 = pi, one register in use
    mov word [abs BUF], 0x027F    ; FCW: precision control 53 bits
    fldcw [abs BUF]
    ; yield: the other guest of this boot runs on the CPU
    mov eax, 3
    vmcall
    ; our own state came back
    vmovdqu64 [abs BUF], zmm0
    mov eax, [abs BUF + 60]
    T_EQ eax, 0x5A5A5A5A, 'xleaka-zmm0-kept-across-switch'
    vextracti128 xmm4, ymm1, 1
    movd eax, xmm4
    T_EQ eax, 0x3C3C3C3C, 'xleaka-ymm1-upper-kept-across-switch'
    movd eax, xmm2
    T_EQ eax, 0x77777777, 'xleaka-xmm2-kept-across-switch'
    kmovw eax, k1
    T_EQ eax, 0xA5A5, 'xleaka-k1-kept-across-switch'
    fnstcw [abs BUF]
    movzx eax, word [abs BUF]
    T_EQ eax, 0x027F, 'xleaka-fcw-kept-across-switch'
    fnstsw ax
    shr eax, 11
    and eax, 7
    T_EQ eax, 7, 'xleaka-x87-top-kept-across-switch'
    xor ecx, ecx
    xgetbv
    T_EQ eax, 0xE7, 'xleaka-xcr0-kept-across-switch'
    T_DONE

ROM_END
