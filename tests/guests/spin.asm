; tests/guests/spin.asm - with yield.asm in the same boot: takes the guest
; TSC (hypercall TSC) eight times back to back, never yielding, and prints
; the stamps as "STAMP n 0x...": within one time slice nothing else should
; run between them.
%include "rom16.inc"

%macro STAMP 1
    mov eax, 5
    vmcall
    mov [ss:T_USER + %1 * 4], eax
%endmacro

start:
    T_INIT
%assign i 0
%rep 8
    STAMP i
%assign i i + 1
%endrep
    xor bx, bx
.print:
    T_PUTS `STAMP `
    mov al, bl
    shr al, 2
    add al, '0'
    mov dx, COM1
    out dx, al
    T_PUTS ` 0x`
    T_PUTHEX [ss:T_USER + bx]
    T_PUTS `\n`
    add bx, 4
    cmp bx, 32
    jb .print
    T_PASS 'spin-done'
    T_DONE

ROM_END
