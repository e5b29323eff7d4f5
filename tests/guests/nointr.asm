; tests/guests/nointr.asm - a guest that keeps the CPU with interrupts off:
; CLI, then about 40 million instructions of a loop that never exits. Only
; the VMX preemption timer can take the CPU back (Bochs does not turn the
; host's APIC timer into an exit while the guest runs with IF=0; platform
; notes), so another guest printing in the meantime and the preemption
; timer exits in `vcpu stats` show that time slices hold. Prints the start
; and the end of the spin.
%include "rom16.inc"

start:
    cli
    PUTS `spinning with interrupts off\n`
    mov ecx, 20000000
.spin:
    dec ecx
    jnz .spin
    PUTS `PASS nointr\n`
    VMCALL_SHUTDOWN 0

ROM_END
