; tests/guests/dbgexit.asm - the isa-debug-exit guest (tests/system/
; test_mboot.py): says it started, writes 0x2A to the test-exit port 0xF4
; (devemu/isa_debug_exit.c), which must end it with status 85; the line
; after the write must never appear.
%include "rom16.inc"

start:
    PUTS `PASS dbgexit-start\n`
    mov dx, 0xF4
    mov al, 0x2A
    out dx, al
    PUTS `FAIL dbgexit: still running after the exit write\n`
    VMCALL_SHUTDOWN 1

ROM_END
