; tests/guests/hreset.asm - a hostile guest resetting itself forever: port
; 0x92 bit 0 (fast reset), then the 8042's pulse command 0xFE, then 0xCF9
; (not its device: ignored) and a triple fault at last would end it; the
; count of resets lives in RAM, which a reset keeps. It prints a line on
; its first start only. The hypervisor must keep the other guests' share.
%include "rom16.inc"

COUNT equ 0x600

start:
    cmp dword [ss:COUNT], 0
    jne .again
    T_PUTS `resetting forever\n`
.again:
    inc dword [ss:COUNT]
    test byte [ss:COUNT], 1
    jz .kbd
    mov al, 0x01
    out 0x92, al
    jmp .stuck
.kbd:
    mov al, 0xFE
    out 0x64, al
.stuck:
    T_PUTS `FAIL reset-happens: still running after a reset request\n`
    cli
    hlt

ROM_END
