; tests/guests/hbadxcr.asm - a hostile guest whose XCR0 and CR8 values must
; never reach the hardware (issue 10): XSETBV with the AVX-512 opmask bit
; without the rest of its group (0x27), without x87 (0x6), AVX without SSE
; (0x5), XCR1, and a reserved bit 63 each raise #GP (SDM XSETBV, 13.3);
; then in 64-bit mode MOV CR8, 15 - the guest's own task priority, read
; back as 15 - and HLT with interrupts off. The hypervisor must still wake
; for its own timers afterwards.
%include "rom16.inc"

%macro XSETBV_GP 4                 ; ecx, edx, eax, name
    mov ecx, %1
    mov edx, %2
    mov eax, %3
    T_FAULT 13, %4, xsetbv
%endmacro

start:
    T_INIT
    ENTER_PM32
    mov eax, cr4
    bts eax, 18                    ; OSXSAVE
    bts eax, 9                     ; OSFXSR
    mov cr4, eax
    XSETBV_GP 0, 0, 0x27, 'xsetbv-opmask-alone-gp'
    XSETBV_GP 0, 0, 0x6, 'xsetbv-no-x87-gp'
    XSETBV_GP 0, 0, 0x5, 'xsetbv-avx-without-sse-gp'
    XSETBV_GP 1, 0, 0x1, 'xsetbv-xcr1-gp'
    XSETBV_GP 0, 0x80000000, 0x3, 'xsetbv-bit63-gp'
    ENTER_LONG64
    mov eax, 15
    mov cr8, rax
    mov rax, cr8
    T_EQ eax, 15, 'cr8-reads-back'
    T_PUTS `CR8 = 15, HLT with interrupts off\n`
    cli
    hlt
    T_DONE

ROM_END
