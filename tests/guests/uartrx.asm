; tests/guests/uartrx.asm - receiving on the emulated 16550 from the host
; side (the hypervisor's "vserial send", see tests/system/test_uart_rx.py):
; FIFOs on with trigger level 4, received-data and line-status interrupts on
; IRQ4. Phase 1: "hello\n" (6 bytes, above the trigger) arrives, the
; handler is called with IIR 0xC4 and drains the FIFO. Phase 2: "ab" (below
; the trigger) comes in through the character-timeout interrupt (IIR 0xCC).
; Phase 3, interrupts off: 20 bytes, more than the 16-byte FIFO holds: the
; host side is flow-controlled (the endpoint's input queue keeps the rest
; until the guest reads, as QEMU's serial back ends do), so LSR shows DR
; without OE and all 20 bytes are read, in order.
%include "rom16.inc"

PIC1 equ 0x20
UART equ 0x3F8
VEC_IRQ4 equ 0x24
RXLEN equ T_USER               ; word: bytes received by the handler
IIRS equ T_USER + 2            ; byte: OR of IIR low nibbles seen | 0x80 if FIFO bits
LASTIIR equ T_USER + 3
RXBUF equ 0x600                ; received bytes

%macro OUTB 2
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro

start:
    T_INIT
    cli
    mov word [ss:VEC_IRQ4 * 4], irq4_handler
    mov word [ss:VEC_IRQ4 * 4 + 2], cs
    PIC_INIT 0x20, 0x28, 0xEF, 0xFF
    OUTB UART + 3, 0x03            ; 8N1, divisor stays 115200 (DLL 1 set below)
    OUTB UART + 3, 0x83
    OUTB UART, 0x01
    OUTB UART + 1, 0x00
    OUTB UART + 3, 0x03
    OUTB UART + 2, 0x47            ; FIFOs on, RX cleared, trigger 4
    OUTB UART + 4, 0x08            ; OUT2: the IRQ reaches the PIC
    PUTS `uartrx: ready\n`         ; before the receive interrupts are on
    OUTB UART + 1, 0x05            ; received data + line status

    ; phase 1: wait for a whole line
    mov word [ss:RXLEN], 0
    sti
.wait_line:
    hlt
    cmp word [ss:RXLEN], 6
    jb .wait_line
    cli
    movzx eax, byte [ss:LASTIIR]
    T_EQ eax, 0xC4, 'rx-fifo-trigger-interrupt-iir-c4'
    mov eax, [ss:RXBUF]
    T_EQ eax, 'hell', 'rx-line-bytes-1-4'
    movzx eax, word [ss:RXBUF + 4]
    T_EQ eax, `o\n`, 'rx-line-bytes-5-6'

    ; phase 2: two bytes, below the trigger: the character timeout
    mov word [ss:RXLEN], 0
    sti
.wait_two:
    hlt
    cmp word [ss:RXLEN], 2
    jb .wait_two
    cli
    movzx eax, byte [ss:LASTIIR]
    T_EQ eax, 0xCC, 'rx-char-timeout-iir-cc'
    movzx eax, word [ss:RXBUF]
    T_EQ eax, 'ab', 'rx-timeout-bytes'

    ; phase 3: interrupts off, 20 bytes: 16 in the FIFO, 4 in the queue
    OUTB UART + 1, 0x00
.wait_dr:
    mov dx, UART + 5
    in al, dx
    test al, 0x01
    jz .wait_dr
    mov bl, al                     ; first LSR: DR, no OE
    xor di, di
.drain:
    mov dx, UART + 5
    in al, dx
    test al, 0x01
    jz .drained
    mov dx, UART
    in al, dx
    mov [ss:RXBUF + di], al
    inc di
    cmp di, 64
    jb .drain
.drained:
    movzx eax, bl
    and eax, 0x03
    T_EQ eax, 0x01, 'rx-queue-lsr-dr-without-oe'
    movzx eax, di
    T_EQ eax, 20, 'rx-queue-all-20-bytes'
    mov eax, [ss:RXBUF]
    T_EQ eax, '0123', 'rx-queue-first-bytes'
    mov eax, [ss:RXBUF + 16]
    T_EQ eax, 'GHIJ', 'rx-queue-last-bytes-in-order'
    mov dx, UART + 5
    in al, dx
    movzx eax, al
    and eax, 0x03
    T_EQ eax, 0, 'rx-lsr-empty-after-drain'
    T_DONE

irq4_handler:
    push ax
    push dx
    push bx
    mov dx, UART + 2
    in al, dx
    mov [ss:LASTIIR], al
.more:
    mov dx, UART + 5
    in al, dx
    test al, 0x01
    jz .done
    mov dx, UART
    in al, dx
    mov bx, [ss:RXLEN]
    mov [ss:RXBUF + bx], al
    inc word [ss:RXLEN]
    jmp .more
.done:
    mov al, 0x20
    out PIC1, al
    pop bx
    pop dx
    pop ax
    iret

ROM_END
