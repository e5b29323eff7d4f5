; tests/guests/hvcecho.asm - the hypercall console both ways: says "hvc
; ready" with CONSOLE_PUTC, then echoes every byte that CONSOLE_GETC brings
; (typed with `vserial send <guest>/hvc` or `vserial bind`), yielding while
; none waits; a 'q' ends it with SHUTDOWN 0. Used by
; tests/system/test_uart_rx.py.
%include "rom16.inc"

HC_PUTC equ 1
HC_YIELD equ 3
HC_GETC equ 6

%macro HVC_PUTS 1
    jmp %%after
%%s: db %1, 0
%%after:
    mov si, %%s
    call hvc_puts
%endmacro

start:
    HVC_PUTS `hvc ready\n`
.loop:
    mov eax, HC_GETC
    vmcall
    test eax, eax
    js .none                       ; -3: nothing typed yet
    mov ebx, eax
    mov eax, HC_PUTC
    vmcall
    cmp bl, 'q'
    jne .loop
    mov al, `\n`
    movzx ebx, al
    mov eax, HC_PUTC
    vmcall
    VMCALL_SHUTDOWN 0
.none:
    mov eax, HC_YIELD
    vmcall
    jmp .loop

hvc_puts:                          ; cs:si -> NUL-terminated string
    cs lodsb
    test al, al
    jz .done
    movzx ebx, al
    mov eax, HC_PUTC
    vmcall
    jmp hvc_puts
.done:
    ret

ROM_END
