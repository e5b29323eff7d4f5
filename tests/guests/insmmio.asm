; tests/guests/insmmio.asm - INSB from the UART's line status port into
; the emulated VGA text buffer (ES:DI = 0xB800:0): string I/O with an
; emulated memory region is not emulated, and the hypervisor must halt
; this guest saying so - naming the region - rather than "unmapped memory".
%include "rom16.inc"

start:
    T_INIT
    mov ax, 0xB800
    mov es, ax
    xor di, di
    mov dx, 0x3FD
    cld
    T_PUTS `INSB into the VGA buffer at RIP 0x`
    T_PUTHEX .ins - $$
    T_PUTS `\n`
.ins:
    insb
    xor ax, ax
    mov es, ax
    T_FAIL 'insmmio-halts', 'the guest went on after INSB into MMIO'
    T_DONE

ROM_END
