; tests/guests/rtcirq.asm - the RTC's periodic interrupt on IRQ8, through
; the slave 8259A cascaded on the master's IRQ2: register A rate 6
; (1024 Hz), register B PIE; the handler reads register C (PF, IRQF), sends
; EOI to both PICs. Over 100 ms of TSC (rate from CPUID 0x15): 102 +-2
; interrupts. Also the slave's ISR/IRR behaviour across the cascade.
%include "rom16.inc"

VEC_IRQ8 equ 0x28
TICKS equ T_USER
TSC_HZ equ T_USER + 4
T0 equ T_USER + 8
EXPECT equ T_USER + 12
LAST_C equ T_USER + 16

%macro CMOS_W 2
    mov al, %1
    out 0x70, al
    mov al, %2
    out 0x71, al
%endmacro

start:
    T_INIT
    cli
    mov dword [ss:TICKS], 0
    mov word [ss:VEC_IRQ8 * 4], irq8_handler
    mov word [ss:VEC_IRQ8 * 4 + 2], cs
    mov eax, 0x15
    cpuid
    xchg eax, ecx
    mul ebx
    div ecx
    mov [ss:TSC_HZ], eax
    xor edx, edx
    mov ecx, 10
    div ecx
    mov [ss:EXPECT], eax           ; TSC ticks in 100 ms

    PIC_INIT 0x20, VEC_IRQ8, 0xFB, 0xFE    ; master: only IRQ2 (cascade); slave: only IRQ8
    CMOS_W 0x0A, 0x26              ; 32.768 kHz base, rate 6: 1024 Hz
    mov al, 0x0C
    out 0x70, al
    in al, 0x71                    ; clear pending flags
    CMOS_W 0x0B, 0x42              ; PIE, 24 h, BCD

    rdtsc
    mov [ss:T0], eax
    sti
.wait:
    rdtsc
    sub eax, [ss:T0]
    cmp eax, [ss:EXPECT]
    jb .wait
    cli
    CMOS_W 0x0B, 0x02              ; PIE off
    T_PUTS `rtc interrupts in 100 ms: 0x`
    T_PUTHEX [ss:TICKS]
    T_PUTS `\n`
    mov eax, [ss:TICKS]
    cmp eax, 100
    T_CHECK ae, 'rtc-periodic-1024hz-low', {'fewer than 100 in 100 ms'}
    mov eax, [ss:TICKS]
    cmp eax, 105
    T_CHECK be, 'rtc-periodic-1024hz-high', {'more than 105 in 100 ms'}
    movzx eax, byte [ss:LAST_C]
    and eax, 0xC0
    T_EQ eax, 0xC0, 'rtc-register-c-irqf-pf'
    ; nothing left in service on either PIC
    mov al, 0x0B
    out 0x20, al
    in al, 0x20
    movzx eax, al
    T_EQ eax, 0, 'master-isr-empty'
    mov al, 0x0B
    out 0xA0, al
    in al, 0xA0
    movzx eax, al
    T_EQ eax, 0, 'slave-isr-empty'
    T_DONE

irq8_handler:
    push ax
    inc dword [ss:TICKS]
    mov al, 0x0C
    out 0x70, al
    in al, 0x71                    ; register C: acknowledges, lowers IRQ8
    mov [ss:LAST_C], al
    mov al, 0x20
    out 0xA0, al                   ; EOI slave, then master
    out 0x20, al
    pop ax
    iret

ROM_END
