; tests/guests/hports.asm - a hostile guest: first string I/O with the
; largest counts real-mode addressing allows (REP INSB/OUTSW/INSD, CX =
; 0xFFFF, into RAM, from RAM, into its ROM whose writes are dropped); then
; every one of the 65,536 ports read (IN AL); those below 0x1000, where a
; PC's devices are, also read as words and dwords and written with zeros in
; every width, except COM1's 0x3F0-0x3FF (its own console); then REP INSB
; into the emulated VGA MMIO window at 0xB8000 (the hypervisor must stop it
; or emulate it, naming what it is - not "unmapped memory").
; Real mode, interrupts off. Its PASS lines say which stage it got past.
%include "rom16.inc"

start:
    T_INIT
    cli
    ; string I/O: 64 Ki iterations each, 16-bit addressing
    cld
    mov ax, 0x2000
    mov es, ax
    xor di, di
    mov cx, 0xFFFF
    mov dx, 0x80
    rep insb                       ; port 0x80 into RAM 0x20000-0x2FFFE
    mov ax, 0x2000
    mov ds, ax
    xor si, si
    mov cx, 0xFFFF
    mov dx, 0x1234                 ; unassigned
    rep outsw
    mov ax, cs
    mov ds, ax
    T_PASS 'string-io-huge-counts'
    mov ebx, [cs:0]
    mov ax, 0xF000
    mov es, ax
    xor di, di
    mov cx, 0x100
    mov dx, 0x80
    rep insd                       ; into the guest's ROM: dropped
    cmp [cs:0], ebx
    T_CHECK e, 'string-io-into-rom-dropped', {'ROM changed'}
    T_PUTS `scanning ports\n`
    xor edx, edx
.port:
    in al, dx
    cmp dx, 0x1000                 ; where the PC's devices are: every width
    jae .skip
    in ax, dx
    in eax, dx
    mov ax, dx
    and ax, 0xFFF0
    cmp ax, 0x3F0
    je .skip
    xor eax, eax
    out dx, al
    out dx, ax
    out dx, eax
.skip:
    inc dx
    jnz .port
    T_PASS 'ports-all-scanned'

    T_PUTS `REP INSB into the VGA MMIO window at 0xB8000\n`
    mov ax, 0xB800
    mov es, ax
    xor di, di
    mov cx, 16
    mov dx, 0x80
    rep insb
    T_PASS 'string-io-into-mmio-survived'
    T_DONE

ROM_END
