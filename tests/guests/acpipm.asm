; tests/guests/acpipm.asm - the ACPI PM block (devemu/acpi_pm.c) at 0x600
; (tests/system/test_acpipm.py): PM1a_CNT reads SCI_EN; the PM timer at
; 0x608 read before and after 50 ms of PIT channel 2 (mode 0, count 59659,
; OUT polled in port 0x61 bit 5, as Linux calibrates) advanced 178977
; ticks (3.579545 MHz; -1 % .. +2 %: the polling loop adds a little);
; then SLP_TYP 5 | SLP_EN written to PM1a_CNT must power the guest off:
; the line after the write must never appear. Real mode.
%include "rom16.inc"

PIT equ 0x40
PM1_CNT equ 0x604
PM_TMR equ 0x608
T0 equ T_USER                  ; dword
DELTA equ T_USER + 4           ; dword

%macro OUTB 2
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro

start:
    T_INIT
    cli
    mov dx, PM1_CNT
    in ax, dx
    test ax, 1
    T_CHECK nz, 'acpipm-sci-en', {'SCI_EN reads 0'}

    in al, 0x61
    and al, 0xFD                   ; speaker off
    or al, 0x01                    ; gate 2 high
    out 0x61, al
    OUTB PIT + 3, 0xB0             ; channel 2, LSB+MSB, mode 0
    OUTB PIT + 2, 59659 & 0xFF     ; 1193182 / 20
    OUTB PIT + 2, 59659 >> 8
    mov dx, PM_TMR
    in eax, dx
    mov [ss:T0], eax
.poll:
    in al, 0x61
    test al, 0x20
    jz .poll
    mov dx, PM_TMR
    in eax, dx
    sub eax, [ss:T0]
    and eax, 0xFFFFFF              ; 24-bit counter
    mov [ss:DELTA], eax
    T_PUTS `pm timer ticks in 50 ms of PIT: 0x`
    T_PUTHEX [ss:DELTA]
    T_PUTS `\n`
    cmp dword [ss:DELTA], 177187   ; 178977 - 1 %
    T_CHECK ae, 'acpipm-timer-rate-low', {'too slow'}
    cmp dword [ss:DELTA], 182556   ; 178977 + 2 %
    T_CHECK be, 'acpipm-timer-rate-high', {'too fast'}
    T_PUTS `writing S5\n`
    mov dx, PM1_CNT
    mov ax, (5 << 10) | (1 << 13)
    out dx, ax
    T_PUTS `FAIL acpipm-s5: still running after the S5 write\n`
    T_DONE

ROM_END
