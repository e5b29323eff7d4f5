; tests/guests/triplefault.asm - an IDT (here: the real-mode IVT) with limit
; 0 and an exception: #UD cannot be delivered, nor the #GP and #DF that
; follow, so the CPU shuts down - a triple fault, which the hypervisor
; reports by halting this guest.
%include "rom16.inc"

start:
    T_INIT
    T_PUTS `loading an IDT with limit 0, then UD2 at RIP 0x`
    T_PUTHEX .ud - $$
    T_PUTS `\n`
    o32 lidt [cs:idtr0]
.ud:
    ud2
    T_FAIL 'triplefault-halts', 'the guest went on after the triple fault'
    T_DONE

idtr0:
    dw 0
    dd 0

ROM_END
