; tests/guests/yieldpp.asm - the VCPU-switch benchmark guest (make bench,
; tests/bench/smp-bench.dts): YIELD hypercalls in a loop with interrupts
; off. Alone on its CPU each YIELD comes straight back (the cost of the
; hypercall and of a scheduler pass that picks the same VCPU); two copies
; on one CPU hand the CPU to each other on every YIELD, so each of the
; measured iterations is a round trip of two VCPU switches. WARM yields
; before the measured N let the partner start; WARM after it keep the
; partner's last measured iteration a round trip too. Prints
; "yields 0x<N> tsc 0x<hi><lo>" (Bochs: TSC ticks are instructions).
%include "rom16.inc"

WARM equ 100
N equ 1000

%macro YIELDS 1
    mov esi, %1
%%l:
    mov eax, 3                      ; VMCALL YIELD
    vmcall
    dec esi
    jnz %%l
%endmacro

start:
    T_INIT
    cli
    YIELDS WARM
    rdtsc
    mov [ss:T_USER], eax
    mov [ss:T_USER + 4], edx
    YIELDS N
    rdtsc
    sub eax, [ss:T_USER]
    sbb edx, [ss:T_USER + 4]
    mov [ss:T_USER], eax
    mov [ss:T_USER + 4], edx
    YIELDS WARM
    T_PUTS `yields 0x`
    T_PUTHEX N
    T_PUTS ` tsc 0x`
    T_PUTHEX [ss:T_USER + 4]
    T_PUTHEX [ss:T_USER]
    T_PUTS `\n`
    T_DONE

ROM_END
