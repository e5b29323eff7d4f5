; tests/guests/echo.asm - demo guest of the default configuration
; (dts/bochs.dts, qemu.dts, pc.dts): prints a banner, then sends back every
; byte its COM1 receives (from `vserial send` or a terminal bound with
; `vserial bind`), a CR as CR LF, forever. Receiving is interrupt-driven
; (16550 FIFO with trigger level 1, received-data and line-status
; interrupts on IRQ4); the handler drains the FIFO into a 256-byte ring and
; the main loop echoes the ring and otherwise sleeps in HLT, so the guest
; leaves its CPU to the others. A full ring drops the byte. Real mode; all
; state in fixed RAM written before interrupts are enabled.
%include "rom16.inc"
%include "demo16.inc"

RX_HEAD     equ 0x500           ; byte: next ring slot the handler writes
RX_TAIL     equ 0x501           ; byte: next ring slot the main loop echoes
RING        equ 0x600           ; 256 bytes; the 8-bit indexes wrap by themselves

%macro OUTB 2
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro

start:
    DEMO_INIT 0xEF              ; IRQ4 only
    mov byte [ss:RX_HEAD], 0
    mov byte [ss:RX_TAIL], 0
    SET_VECTOR DEMO_VEC_MASTER + 4, irq4
    OUTB COM1 + 1, 0x00         ; no UART interrupts while it is set up
    OUTB COM1 + 3, 0x83         ; DLAB: divisor 1 (115200 baud)
    OUTB COM1 + 0, 0x01
    OUTB COM1 + 1, 0x00
    OUTB COM1 + 3, 0x03         ; 8N1
    OUTB COM1 + 2, 0x07         ; FIFOs on and cleared, trigger level 1
    OUTB COM1 + 4, 0x0B         ; DTR, RTS, OUT2 (the IRQ reaches the PIC)
    mov dx, COM1 + 5            ; drop stale line status
    in al, dx
    PUTS `echo guest: every byte typed at uart0 comes back `
    PUTS `(try 'vserial bind echo/uart0'; ESC x q leaves)\n`
    OUTB COM1 + 1, 0x05         ; received data + line status

.loop:
    cli
    mov bl, [ss:RX_TAIL]
    cmp bl, [ss:RX_HEAD]
    jne .byte
    sti                         ; STI's interrupt shadow covers HLT: no lost wake-up
    hlt
    jmp .loop
.byte:
    sti
    xor bh, bh
    mov al, [ss:RING + bx]
    inc byte [ss:RX_TAIL]
    call demo_putc
    cmp al, `\r`
    jne .loop
    mov al, `\n`
    call demo_putc
    jmp .loop

; IRQ4: read IIR (acknowledges the interrupt), move every received byte
; into the ring (a full ring drops it), EOI
irq4:
    push ax
    push bx
    push dx
    mov dx, COM1 + 2
    in al, dx
.more:
    mov dx, COM1 + 5            ; LSR (reading it also clears OE)
    in al, dx
    test al, 0x01
    jz .done
    mov dx, COM1
    in al, dx
    mov bl, [ss:RX_HEAD]
    mov bh, bl
    inc bh
    cmp bh, [ss:RX_TAIL]
    je .more                    ; ring full: drop
    xor bh, bh
    mov [ss:RING + bx], al      ; the byte first, then publish it
    inc bl
    mov [ss:RX_HEAD], bl
    jmp .more
.done:
    mov al, 0x20
    out 0x20, al
    pop dx
    pop bx
    pop ax
    iret

ROM_END
