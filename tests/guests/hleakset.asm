; tests/guests/hleakset.asm - the leaker of the register-leak test: in
; 64-bit mode it loads marker values into every register class a guest can
; write - GPRs, x87 stack, XMM0-15, the upper halves of YMM0-15, ZMM0-31 and
; opmask K0-7 (with XCR0 set to what CPUID 0xD offers of x87/SSE/AVX/
; AVX-512), DR0-3/DR6/DR7, CR2, and the MSRs KERNEL_GS_BASE, STAR, LSTAR,
; CSTAR, SFMASK, SYSENTER_CS/ESP/EIP, TSC_AUX and PAT - yields once, checks
; that its own markers survived the switch, and shuts down with the markers
; still loaded. hleakcheck.asm, started next on the same CPU, must see none.
%include "rom16.inc"

MARK equ 0x5EC2E7A15EC2E7A1

%macro WRMSR64 2
    mov ecx, %1
    mov rax, %2
    mov rdx, rax
    shr rdx, 32
    wrmsr
%endmacro

start:
    T_INIT
    ENTER_PM32
    ENTER_LONG64
    mov rax, cr4
    bts rax, 9                     ; OSFXSR
    bts rax, 18                    ; OSXSAVE
    mov cr4, rax
    mov eax, 0xD
    xor ecx, ecx
    cpuid
    and eax, 0xE7
    xor edx, edx
    mov [abs T_USER], eax
    xor ecx, ecx
    xsetbv
    T_PUTS `XCR0 0x`
    T_PUTHEX [abs T_USER]
    T_PUTS `\n`
    ; x87 and SSE
    mov rax, MARK
    mov [abs 0x600], rax
    mov [abs 0x608], rax
    finit
%rep 8
    fild qword [abs 0x600]
%endrep
%assign i 0
%rep 16
    movdqu xmm %+ i, [abs 0x600]
%assign i i+1
%endrep
    test byte [abs T_USER], 4
    jz .noavx
%assign i 0
%rep 16
    vbroadcastsd ymm %+ i, [abs 0x600]
%assign i i+1
%endrep
.noavx:
    test byte [abs T_USER], 0xE0
    jz .noavx512
%assign i 0
%rep 32
    vpbroadcastq zmm %+ i, [abs 0x600]
%assign i i+1
%endrep
%assign i 0
%rep 8
    kmovq k%[i], qword [abs 0x600]
%assign i i+1
%endrep
.noavx512:
    mov rax, 0x5EC000
    mov dr0, rax
    mov dr1, rax
    mov dr2, rax
    mov dr3, rax
    mov eax, 0xFFFF0FF1
    mov dr6, rax
    mov eax, 0x401                 ; L0: execute breakpoint at 0x5EC000 (never run)
    mov dr7, rax
    mov rax, MARK
    mov cr2, rax
    WRMSR64 0xC0000102, 0x00005EC2E7A15EC8 ; KERNEL_GS_BASE (canonical)
    WRMSR64 0xC0000081, 0x0013000800000000  ; STAR: selectors
    WRMSR64 0xC0000082, 0x00005EC2E7A15EC0  ; LSTAR (canonical)
    WRMSR64 0xC0000083, 0x00005EC2E7A15EC0  ; CSTAR
    WRMSR64 0xC0000084, 0x5EC2E7A1  ; SFMASK (32 bits)
    WRMSR64 0x174, 0x5EC8          ; SYSENTER_CS
    WRMSR64 0x175, 0x00005EC2E7A15EC8 ; SYSENTER_ESP
    WRMSR64 0x176, 0x00005EC2E7A15ED8 ; SYSENTER_EIP
    WRMSR64 0xC0000103, 0x5EC2E7A1 ; TSC_AUX
    WRMSR64 0x277, 0x0606060606060606 ; PAT: all write-back
    T_PASS 'leakset-markers-loaded'
    mov r8, MARK
    mov r9, r8
    mov r10, r8
    mov r11, r8
    mov r12, r8
    mov r13, r8
    mov r14, r8
    mov r15, r8
    mov rbx, r8
    mov rcx, r8
    mov rdx, r8
    mov rsi, r8
    mov rdi, r8
    mov rbp, r8
    mov eax, 3                     ; YIELD
    vmcall
    mov rax, MARK
    cmp r15, rax
    T_CHECK e, 'leakset-gpr-kept', 'r15 changed'
    movq rax, xmm15
    cmp rax, [abs 0x600]
    T_CHECK e, 'leakset-xmm-kept', 'xmm15 changed'
    mov rax, cr2
    cmp rax, [abs 0x600]
    T_CHECK e, 'leakset-cr2-kept', 'cr2 changed'
    mov rax, dr3
    cmp rax, 0x5EC000
    T_CHECK e, 'leakset-dr3-kept', 'dr3 changed'
    mov ecx, 0xC0000102
    rdmsr
    cmp eax, 0xE7A15EC8
    T_CHECK e, 'leakset-kernel-gs-base-kept', 'changed'
    mov rbx, MARK
    mov rcx, rbx
    mov rdx, rbx
    mov rsi, rbx
    mov rdi, rbx
    mov rbp, rbx
    mov eax, 4                     ; SHUTDOWN, status = low bits of rbx: not 0
    xor ebx, ebx
    vmcall
    jmp $
bits 16

ROM_END
