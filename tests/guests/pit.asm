; tests/guests/pit.asm - the emulated 8254 through the emulated 8259A, in
; the guest's virtual time: CPUID 0x15 gives the TSC rate; PIT channel 0 in
; mode 2 at 1000 Hz (count 1193) must deliver 100 interrupts (+-1 %) in
; 100 ms of TSC; HLT is woken by the next tick; the latch command and the
; read-back status work; and Linux's TSC calibration loop - channel 2 in
; mode 0 gated through port 0x61, polling its OUT in bit 5 - ends after
; 50 ms of TSC (+-1 %). Real mode; prints the measured values.
%include "rom16.inc"

PIC1 equ 0x20
PIT equ 0x40
VEC_IRQ0 equ 0x20
TICKS equ T_USER               ; dword: IRQ0 count
TSC_HZ equ T_USER + 4          ; dword
T0 equ T_USER + 8              ; dword
EXPECT equ T_USER + 12         ; dword

%macro OUTB 2
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro

start:
    T_INIT
    cli
    mov dword [ss:TICKS], 0
    mov word [ss:VEC_IRQ0 * 4], irq0_handler
    mov word [ss:VEC_IRQ0 * 4 + 2], cs

    ; TSC rate from CPUID 0x15: ECX * EBX / EAX
    mov eax, 0x15
    cpuid
    xchg eax, ecx                  ; eax = crystal, ecx = denominator
    mul ebx
    div ecx
    mov [ss:TSC_HZ], eax
    T_CHECK nz, 'cpuid-15-tsc-rate', {'zero'}
    T_PUTS `tsc Hz 0x`
    T_PUTHEX [ss:TSC_HZ]
    T_PUTS `\n`

    PIC_INIT 0x20, 0x28, 0xFE, 0xFF    ; only IRQ0

    ; channel 0, LSB+MSB, mode 2, binary: 1193 -> 1000.15 Hz
    OUTB PIT + 3, 0x34
    OUTB PIT, 1193 & 0xFF
    OUTB PIT, 1193 >> 8

    ; latch: two reads of a running counter differ, both <= 1193
    OUTB PIT + 3, 0x00
    in al, PIT
    mov bl, al
    in al, PIT
    mov bh, al
    movzx eax, bx
    cmp eax, 1193
    T_CHECK be, 'pit-latched-count-in-range', {'above the initial count'}
    ; read-back status of channel 0: mode 2, LSB+MSB, count loaded
    OUTB PIT + 3, 0xE2
    in al, PIT
    and al, 0x3F
    movzx eax, al
    T_EQ eax, 0x34, 'pit-readback-status-mode-2-word'

    ; 100 ms of TSC with interrupts on: 100 ticks expected
    mov dword [ss:TICKS], 0
    mov eax, [ss:TSC_HZ]
    xor edx, edx
    mov ecx, 10
    div ecx
    mov [ss:EXPECT], eax           ; TSC ticks in 100 ms
    rdtsc
    mov [ss:T0], eax
    sti
.wait:
    rdtsc
    sub eax, [ss:T0]
    cmp eax, [ss:EXPECT]
    jb .wait
    cli
    T_PUTS `ticks in 100 ms: 0x`
    T_PUTHEX [ss:TICKS]
    T_PUTS `\n`
    mov eax, [ss:TICKS]
    cmp eax, 99
    T_CHECK ae, 'pit-1khz-rate-within-1pct-low', {'fewer than 99 interrupts'}
    mov eax, [ss:TICKS]
    cmp eax, 101
    T_CHECK be, 'pit-1khz-rate-within-1pct-high', {'more than 101 interrupts'}

    ; HLT is woken by the next tick
    mov eax, [ss:TICKS]
    mov [ss:T0], eax
    sti
    hlt
    cli
    mov eax, [ss:TICKS]
    cmp eax, [ss:T0]
    T_CHECK a, 'hlt-woken-by-pit-irq', {'no tick during HLT'}
    OUTB PIC1 + 1, 0xFF            ; IRQ0 off from here

    ; Linux's calibration: gate channel 2, mode 0, 50 ms, poll OUT (port 0x61 bit 5)
    in al, 0x61
    and al, 0xFD                   ; speaker off
    or al, 0x01                    ; gate 2 high
    out 0x61, al
    OUTB PIT + 3, 0xB0             ; channel 2, LSB+MSB, mode 0
    OUTB PIT + 2, 59659 & 0xFF     ; 1193182 / 20
    OUTB PIT + 2, 59659 >> 8
    rdtsc
    mov [ss:T0], eax
.poll:
    in al, 0x61
    test al, 0x20
    jz .poll
    rdtsc
    sub eax, [ss:T0]
    mov ebx, eax                   ; TSC ticks until OUT went high
    T_PUTS `channel 2 terminal count after TSC 0x`
    mov [ss:EXPECT + 0], ebx
    T_PUTHEX [ss:EXPECT]
    T_PUTS `\n`
    ; expected tsc_hz / 20, within 1 %: compare 100 * measured with 5 * tsc_hz (+-1 %)
    mov eax, [ss:TSC_HZ]
    xor edx, edx
    mov ecx, 20
    div ecx                        ; eax = expected ticks
    mov ecx, eax
    shr ecx, 7                     ; ~0.8 % of it
    mov edx, eax
    sub edx, ecx
    cmp ebx, edx
    T_CHECK ae, 'pit-ch2-calibration-50ms-low', {'too fast'}
    mov eax, [ss:TSC_HZ]
    xor edx, edx
    mov ecx, 20
    div ecx
    mov ecx, eax
    shr ecx, 6                     ; ~1.6 %: the polling loop adds a little
    add eax, ecx
    cmp ebx, eax
    T_CHECK be, 'pit-ch2-calibration-50ms-high', {'too slow'}
    T_DONE

irq0_handler:
    push ax
    inc dword [ss:TICKS]
    mov al, 0x20
    out PIC1, al
    pop ax
    iret

ROM_END
