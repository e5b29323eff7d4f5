; tests/guests/tscspin.asm - the cross-CPU latency benchmark guest (make
; bench, tests/bench/smp-bench.dts): with interrupts off it reads the TSC
; forever (RDTSC; JMP - no exit), so EDX:EAX always hold the TSC of its
; latest instruction. When the hypervisor stops it (preemption, `vcpu
; pause`), `vcpu dumpreg` shows the TSC of its last instruction in guest
; mode. The guest TSC is the host's (TSC offset 0), the same on every
; Bochs CPU.
%include "rom16.inc"

start:
    T_INIT
    T_PUTS `spinning on the TSC\n`
    cli
.spin:
    rdtsc
    jmp .spin

ROM_END
