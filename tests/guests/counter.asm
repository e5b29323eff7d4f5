; tests/guests/counter.asm - demo guest of the default configuration
; (dts/bochs.dts, qemu.dts, pc.dts): prints "tick N" (N = 1, 2, ...) once a
; second of guest time, forever (after a pause, one line with the seconds
; that passed). The 8254 PIT interrupts 20 times a second
; (channel 0, mode 2); the handler only counts, the main loop sleeps in HLT
; between interrupts, so the guest leaves its CPU to the others. Real mode,
; all state in fixed RAM words written before interrupts are enabled.
%include "rom16.inc"
%include "demo16.inc"

PIT_HZ      equ 20
PIT_COUNT   equ 59659           ; 1193182 Hz / 59659 = 20.000 Hz
TICKS       equ 0x500           ; word: PIT interrupts not yet turned into seconds
SECONDS     equ 0x504           ; dword: lines printed

start:
    DEMO_INIT 0xFE              ; IRQ0 only
    mov word [ss:TICKS], 0
    mov dword [ss:SECONDS], 0
    SET_VECTOR DEMO_VEC_MASTER + 0, irq0
    mov al, 0x34                ; channel 0, LSB then MSB, mode 2, binary
    out 0x43, al
    mov al, PIT_COUNT & 0xFF
    out 0x40, al
    mov al, PIT_COUNT >> 8
    out 0x40, al
    PUTS `counting guest seconds: one line a second\n`

.loop:
    cli
    cmp word [ss:TICKS], PIT_HZ
    jae .second
    sti                         ; STI's interrupt shadow covers HLT: no lost wake-up
    hlt
    jmp .loop
.second:                        ; every whole second that passed, one line
    mov ax, [ss:TICKS]
    xor dx, dx
    mov cx, PIT_HZ
    div cx
    mov [ss:TICKS], dx
    sti
    movzx eax, ax
    add [ss:SECONDS], eax
    PUTS `tick `
    mov eax, [ss:SECONDS]
    call demo_putdec
    mov al, `\n`
    call demo_putc
    jmp .loop

; IRQ0: count it (saturating: the main loop turns whole seconds into one
; line even after a long pause), EOI
irq0:
    push ax
    cmp word [ss:TICKS], 0xFFFF
    je .eoi
    inc word [ss:TICKS]
.eoi:
    mov al, 0x20
    out 0x20, al
    pop ax
    iret

ROM_END
