; tests/guests/strict.asm - reads a port no device claims. A guest with
; unassigned_io = "halt" must be stopped there (tests/system/test_strict.py);
; otherwise it reads all-ones and says so.
%include "rom16.inc"

start:
    PUTS `strict: reading port 0x5a0\n`
    mov dx, 0x5A0
    in al, dx
    cmp al, 0xFF
    jne .bad
    PUTS `strict: read all-ones, not halted\n`
    VMCALL_SHUTDOWN 0
.bad:
    PUTS `FAIL strict: port read not all-ones\n`
    VMCALL_SHUTDOWN 1

ROM_END
