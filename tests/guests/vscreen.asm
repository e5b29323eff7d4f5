; tests/guests/vscreen.asm - a guest for 'vserial dump' and 'vscreen show'
; (tests/system/test_vscreen.py): writes two lines on its VGA text screen
; (row 0 at column 0, row 2 at column 4), puts the cursor at row 3 column
; 10, prints 300 numbered lines of 18 bytes on its UART (5400 bytes: more
; than the 4 KiB output ring keeps), a line with control bytes, a last
; line without its end, and shuts down.
%include "rom16.inc"

start:
    push es
    mov ax, 0xB800
    mov es, ax
    mov si, row0_msg
    xor di, di
    call vga_puts
    mov si, row2_msg
    mov di, (2 * 80 + 4) * 2
    call vga_puts
    pop es
    mov dx, 0x3D4                   ; cursor location: row 3, column 10
    mov ax, (((3 * 80 + 10) >> 8) << 8) | 0x0E
    out dx, ax
    mov ax, (((3 * 80 + 10) & 0xFF) << 8) | 0x0F
    out dx, ax

    xor cx, cx
.line:
    PUTS `vscreen line `
    mov al, ch
    call rom_puthex8
    mov al, cl
    call rom_puthex8
    PUTS `\n`
    inc cx
    cmp cx, 300
    jb .line
    PUTS `ctl:\x1b[2J\x07end\r\n`
    PUTS `PASS vscreen`
    VMCALL_SHUTDOWN 0

; write the NUL-terminated string at CS:SI to ES:DI, attribute 0x1F
vga_puts:
    mov al, [cs:si]
    test al, al
    jz .done
    mov ah, 0x1F
    mov [es:di], ax
    inc si
    add di, 2
    jmp vga_puts
.done:
    ret

row0_msg: db 'xvisor vscreen guest: VGA row 0', 0
row2_msg: db 'row 2 from column 4', 0

ROM_END
