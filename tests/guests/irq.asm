; tests/guests/irq.asm - interrupts into a guest through the emulated
; i8259A pair: the PIC initialised with ICW1-4 (master vectors 0x20-0x27),
; the UART's THR-empty interrupt on IRQ4 raising the line (with MCR.OUT2),
; the request latched in IRR, delivered to a guest in HLT (which wakes it),
; IIR naming the source, EOI clearing ISR, a masked line held back, and an
; unmask while interrupts are off delivered right after STI (interrupt
; window). Real mode.
%include "rom16.inc"

PIC1 equ 0x20
PIC2 equ 0xA0
UART equ 0x3F8
VEC_IRQ4 equ 0x24
COUNT equ T_USER               ; word: interrupts taken
LAST_IIR equ T_USER + 2        ; byte: IIR read by the handler
LAST_RX equ T_USER + 3         ; byte: byte received by the handler

%macro OUTB 2                  ; port, value
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro

%macro INB 1                   ; port -> AL
    mov dx, %1
    in al, dx
%endmacro

start:
    T_INIT
    cli
    mov word [ss:COUNT], 0
    mov word [ss:VEC_IRQ4 * 4], irq4_handler
    mov word [ss:VEC_IRQ4 * 4 + 2], cs

    ; ICW1 edge, cascade, ICW4; ICW2 base; ICW3 wiring; ICW4 8086 mode
    PIC_INIT 0x20, 0x28, 0xEF, 0xFF    ; only IRQ4
    INB PIC1 + 1
    movzx eax, al
    T_EQ eax, 0xEF, 'pic-imr-reads-back'
    OUTB PIC1, 0x0A                ; OCW3: read IRR
    INB PIC1
    movzx eax, al
    T_EQ eax, 0, 'pic-irr-empty-at-start'

    ; the UART raises IRQ4: THR empty interrupt enabled, OUT2 on
    OUTB UART + 4, 0x08
    OUTB UART + 1, 0x02
    OUTB PIC1, 0x0A
    INB PIC1
    mov bl, al                     ; IRR now (printing would disturb it)
    sti
    hlt                            ; HLT completes with the pending interrupt
    cli
    OUTB UART + 1, 0x00            ; no more UART interrupts while printing
    movzx eax, bl
    and eax, 0x10
    T_EQ eax, 0x10, 'pic-irr-latches-uart-line'
    movzx eax, word [ss:COUNT]
    T_EQ eax, 1, 'irq4-delivered-at-hlt'
    movzx eax, byte [ss:LAST_IIR]
    T_EQ eax, 0x02, 'uart-iir-thr-empty-source'
    OUTB PIC1, 0x0B                ; OCW3: read ISR
    INB PIC1
    movzx eax, al
    T_EQ eax, 0, 'pic-eoi-clears-isr'

    ; a masked line is latched but not delivered
    OUTB PIC1 + 1, 0xFF
    OUTB UART + 1, 0x02
    sti
    nop
    nop
    cli
    OUTB UART + 1, 0x00
    movzx eax, word [ss:COUNT]
    T_EQ eax, 1, 'masked-irq-held-back'
    OUTB PIC1, 0x0A
    INB PIC1
    movzx eax, al
    and eax, 0x10
    T_EQ eax, 0x10, 'masked-irq-still-in-irr'

    ; unmasked with interrupts off: delivered right after STI (window exit)
    OUTB PIC1 + 1, 0xEF
    mov cx, 100
.spin:
    loop .spin
    movzx eax, word [ss:COUNT]
    T_EQ eax, 1, 'no-delivery-with-if-clear'
    sti
    nop
    nop
    cli
    movzx eax, word [ss:COUNT]
    T_EQ eax, 2, 'unmask-delivers-after-sti'

    ; loopback: the byte written comes back in RBR and IIR says "received
    ; data" (0x04), but loopback forces OUT2 inactive, which closes the PC's
    ; IRQ gate: no interrupt reaches the PIC (16550 datasheet, loopback)
    mov word [ss:COUNT], 0
    OUTB UART + 4, 0x18            ; LOOP | OUT2
    OUTB UART + 1, 0x01            ; received-data interrupt only
    OUTB UART, 0x5A
    sti
    nop
    nop
    cli
    INB UART + 2
    mov [ss:LAST_IIR], al
    INB UART + 5
    mov bl, al                     ; LSR
    INB UART
    mov [ss:LAST_RX], al
    OUTB UART + 1, 0x00            ; leave loopback before printing anything
    OUTB UART + 4, 0x08
    movzx eax, byte [ss:LAST_IIR]
    and eax, 0x0F
    T_EQ eax, 0x04, 'uart-loopback-iir-received-data'
    movzx eax, bl
    and eax, 0x01
    T_EQ eax, 0x01, 'uart-loopback-lsr-data-ready'
    movzx eax, byte [ss:LAST_RX]
    T_EQ eax, 0x5A, 'uart-loopback-byte-received'
    movzx eax, word [ss:COUNT]
    T_EQ eax, 0, 'uart-loopback-no-irq-to-pic'

    ; specific EOI and rotation leave nothing in service
    OUTB PIC1, 0x0B
    INB PIC1
    movzx eax, al
    T_EQ eax, 0, 'isr-empty-at-end'
    T_DONE

irq4_handler:
    push ax
    push dx
    inc word [ss:COUNT]
    mov dx, UART + 2
    in al, dx                      ; IIR: also clears the THR-empty source
    mov [ss:LAST_IIR], al
    and al, 0x0F
    cmp al, 0x04
    jne .eoi
    mov dx, UART
    in al, dx                      ; received data: reading RBR clears it
    mov [ss:LAST_RX], al
.eoi:
    mov al, 0x20                   ; non-specific EOI
    out PIC1, al
    pop dx
    pop ax
    iret

ROM_END
