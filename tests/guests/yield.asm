; tests/guests/yield.asm - with spin.asm in the same boot: takes the guest
; TSC (hypercall TSC) once, YIELDs, then takes it eight times back to back,
; and prints the stamps as "STAMP n 0x...". After the YIELD the other guest
; should run for as long as it needs (up to a time slice): none of the
; stamps after the YIELD should fall between two of spin's.
%include "rom16.inc"

%macro STAMP 1
    mov eax, 5
    vmcall
    mov [ss:T_USER + %1 * 4], eax
%endmacro

start:
    T_INIT
    STAMP 0
    mov eax, 3
    vmcall
    mov [ss:T_USER + 9 * 4], eax
%assign i 1
%rep 8
    STAMP i
%assign i i + 1
%endrep
    T_EQ [ss:T_USER + 9 * 4], 0, 'yield-returns-0'
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
    cmp bx, 36
    jb .print
    T_DONE

ROM_END
