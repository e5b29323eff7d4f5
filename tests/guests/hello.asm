; tests/guests/hello.asm - the smallest guest: in real mode, says hello on
; its UART, checks the hypercall ABI version, prints PASS and shuts down.
; It is also the demo guest of `make run`.
%include "rom16.inc"

start:
    PUTS `hello from a real-mode guest\n`
    mov eax, 0                      ; VMCALL VERSION
    vmcall
    cmp eax, 1
    jne .fail
    PUTS `PASS hello\n`
    VMCALL_SHUTDOWN 0
.fail:
    PUTS `FAIL hello: hypercall version\n`
    VMCALL_SHUTDOWN 1

ROM_END
