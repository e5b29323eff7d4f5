; tests/guests/hog.asm - the reference neighbour of the fairness tests
; (tests/system/test_storm.py): computes forever with interrupts off and
; makes no exit; the VMX preemption timer ends each of its time slices.
%include "rom16.inc"

start:
    T_INIT
    cli
    T_PUTS `hog: computing\n`
.forever:
    inc eax
    jmp .forever

ROM_END
