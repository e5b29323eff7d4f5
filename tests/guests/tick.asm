; tests/guests/tick.asm - the progress guest of the SMP scheduler and life
; cycle tests (tests/system/test_sched_smp.py, test_lifecycle.py): prints
; "start" once, then forever runs a fixed loop of exactly 2 instructions
; per iteration, ITERS times with interrupts off and no exit, and prints
; "tick N tsc T": N counts the loops done since start (hex), T is the TSC
; ticks the loop took (hex). Bochs' TSC counts instructions (clock:
; sync=none), so 2 * ITERS / T is this guest's share of its CPU during
; that loop, and tick lines that go on show the guest still runs. Never
; ends by itself.
%include "rom16.inc"

ITERS equ 250000                ; 500000 instructions per tick

start:
    T_INIT
    cli
    T_PUTS `start\n`
    xor ebx, ebx
.next:
    rdtsc
    mov [ss:T_USER], eax
    mov ecx, ITERS
.loop:
    dec ecx
    jnz .loop
    rdtsc
    sub eax, [ss:T_USER]
    mov [ss:T_USER + 4], eax
    inc ebx
    T_PUTS `tick 0x`
    T_PUTHEX ebx
    T_PUTS ` tsc 0x`
    T_PUTHEX [ss:T_USER + 4]
    T_PUTS `\n`
    jmp .next

ROM_END
