; tests/guests/xleakb.asm - second half of the register-state leak test
; (issue 10 finding 4): started on the CPU after xleaka.asm left markers in
; XMM2, the upper half of YMM1, ZMM0, K1 and the x87 FCW and stack and
; shut down. Its XCR0 must be
; the reset value 1, and after it enables AVX-512 every one of those
; registers must hold its init value, zero: nothing of the other guest.
%include "rom16.inc"

BUF equ 0x2000

start:
    T_INIT
    ENTER_PM32
    ENTER_LONG64
    mov rax, cr4
    or eax, (1 << 18) | (1 << 9) | (1 << 10)
    mov cr4, rax
    xor ecx, ecx
    xgetbv
    T_EQ eax, 1, 'xleakb-xcr0-is-reset-value'
    xor ecx, ecx
    xor edx, edx
    mov eax, 0xE7
    T_NOFAULT 'xleakb-xsetbv-avx512', {xsetbv}
    ; ZMM0: all 64 bytes
    vmovdqu64 [abs BUF], zmm0
    xor eax, eax
    xor ebx, ebx
.or:
    or eax, [abs BUF + rbx * 4]
    inc ebx
    cmp ebx, 16
    jb .or
    T_EQ eax, 0, 'xleakb-zmm0-init'
    vextracti128 xmm4, ymm1, 1
    vmovdqu [abs BUF], xmm4
    mov eax, [abs BUF]
    or eax, [abs BUF + 4]
    or eax, [abs BUF + 8]
    or eax, [abs BUF + 12]
    T_EQ eax, 0, 'xleakb-ymm1-upper-init'
    movd eax, xmm2
    T_EQ eax, 0, 'xleakb-xmm2-init'
    kmovw eax, k1
    T_EQ eax, 0, 'xleakb-k1-init'
    stmxcsr [abs BUF]
    T_EQ [abs BUF], 0x1F80, 'xleakb-mxcsr-reset-value'
    fnstcw [abs BUF]
    movzx eax, word [abs BUF]
    T_EQ eax, 0x037F, 'xleakb-fcw-init'
    fnstsw ax
    movzx eax, ax
    T_EQ eax, 0, 'xleakb-x87-status-init'
    fnstenv [abs BUF]             ; 32-bit format: tag word at offset 8
    movzx eax, word [abs BUF + 8]
    T_EQ eax, 0xFFFF, 'xleakb-x87-all-empty'
    T_DONE

ROM_END
