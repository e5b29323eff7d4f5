; tests/guests/nmispin.asm - a guest that only spins and prints progress,
; for the host-NMI test (testsignal=nmi, tests/system/test_smp.py): an NMI
; sent to CPU0 while this guest runs must exit to the host, be reported as
; the host's, and leave the guest running: it then prints PASS and shuts
; down. Each progress line is ~0.5 M instructions apart (~10 ms in Bochs).
%include "rom16.inc"

ROUNDS  equ 30
DELAY   equ 250000

start:
    T_INIT
    PUTS `spinning\n`
    mov cx, ROUNDS
.round:
    mov ebx, DELAY
.spin:
    dec ebx
    jnz .spin
    PUTS `progress\n`
    loop .round
    T_PASS 'nmi-guest-kept-running'
    T_DONE

ROM_END
