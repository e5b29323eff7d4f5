; tests/guests/tscspin.asm - the cross-CPU latency benchmark guest (make
; bench, tests/bench/smp-bench.dts): it reads the TSC forever (RDTSC; JMP -
; no exit), so EDX:EAX always hold the TSC of its latest instruction; `vcpu
; dumpreg` shows it. Interrupts are on (none is programmed): Bochs 2.7 lets
; a host interrupt - the kick IPI of a state change made on another CPU -
; cause its VM exit only while the guest's IF is 1 (platform notes), where
; real VT-x exits whatever the guest's IF; with IF 0 the change would wait
; for the next preemption-timer exit and the benchmark would measure Bochs.
%include "rom16.inc"

start:
    T_INIT
    T_PUTS `spinning on the TSC\n`
    sti
.spin:
    rdtsc
    jmp .spin

ROM_END
