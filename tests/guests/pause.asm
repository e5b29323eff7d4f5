; tests/guests/pause.asm - a guest spinning on PAUSE, as a spinlock waiter
; does: with PAUSE-loop exiting the hypervisor sees the spin (VM exit
; "PAUSE") and lets other VCPUs run. 200000 iterations, then shut down.
%include "rom16.inc"

start:
    PUTS `pause: spinning\n`
    mov ecx, 200000
.spin:
    pause
    dec ecx
    jnz .spin
    PUTS `PASS pause-spin-done\n`
    VMCALL_SHUTDOWN 0

ROM_END
