; tests/guests/hstorm.asm - a hostile guest storming with its RTC and UART
; forever: RTC periodic interrupt at the fastest rate (rate 3, 8192 Hz, and
; rate 1), acknowledged through register C; the UART's THR-empty interrupt
; re-armed by rewriting IER from its own handler (a 16550 raises it again
; at once); both through the 8259A pair, with EOI. It never stops: the
; hypervisor must keep the other guests' share and answer commands.
%include "rom16.inc"

start:
    T_INIT
    cli
    mov word [ss:0x24 * 4], uart_irq
    mov word [ss:0x24 * 4 + 2], cs
    mov word [ss:0x28 * 4], rtc_irq
    mov word [ss:0x28 * 4 + 2], cs
    PIC_INIT 0x20, 0x28, 0xEB, 0xFE   ; IRQ2 (cascade), IRQ4, IRQ8
    mov al, 0x0A                   ; RTC register A: rate 3
    out 0x70, al
    mov al, 0x23
    out 0x71, al
    mov al, 0x0B                   ; register B: PIE, 24 h
    out 0x70, al
    mov al, 0x42
    out 0x71, al
    mov dx, COM1 + 4               ; MCR: OUT2 gates the IRQ line
    mov al, 0x08
    out dx, al
    T_PUTS `storming\n`
    mov dx, COM1 + 1
    mov al, 0x02                   ; IER: THR empty
    out dx, al
    sti
.forever:
    mov al, 0x0A                   ; flip between rate 3 and rate 1 now and then
    out 0x70, al
    in al, 0x71
    xor al, 0x02
    out 0x71, al
    mov ecx, 100000
.spin:
    dec ecx
    jnz .spin
    jmp .forever

uart_irq:
    push ax
    push dx
    mov dx, COM1 + 2
    in al, dx                      ; IIR: clears THR empty
    mov dx, COM1 + 1
    mov al, 0x02
    out dx, al                     ; re-armed: raised again
    mov al, 0x20
    out 0x20, al
    pop dx
    pop ax
    iret

rtc_irq:
    push ax
    mov al, 0x0C
    out 0x70, al
    in al, 0x71
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop ax
    iret

ROM_END
