; tests/guests/hmmioidt.asm - an IDT placed over an emulated MMIO region
; (the VGA text window at 0xB8000) and an INT3: the CPU's own read of the
; gate during event delivery exits (IDT-vectoring information valid). The
; instruction at RIP did not access MMIO; the hypervisor must not emulate
; it as if it had, but stop the guest saying what happened (issue 10).
%include "rom16.inc"

start:
    T_INIT
    ENTER_PM32
    lidt [idtr_mmio]
    T_PUTS `IDT at 0xB8000 (MMIO), INT3\n`
    int3
    T_FAIL 'mmio-idt-halts', 'the guest went on'
    T_DONE

idtr_mmio:
    dw 0x7FF
    dd 0xB8000

ROM_END
