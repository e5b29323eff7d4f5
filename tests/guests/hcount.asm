; tests/guests/hcount.asm - the benign guest of the hostile-guest tests
; (tests/system/test_hostile.py): with interrupts off it runs a loop of
; exactly 2 instructions per iteration, ITERS times, and prints the TSC
; ticks it took. Bochs' TSC counts instructions (clock sync=none), so
; 2 * ITERS / elapsed is the share of the CPU this guest got while the
; hostile guest next to it ran; then "PASS count-done" and shutdown.
%include "rom16.inc"

ITERS equ 8000000

start:
    T_INIT
    cli
    T_PUTS `counting\n`
    rdtsc
    mov [ss:T_USER], eax
    mov [ss:T_USER + 4], edx
    mov ecx, ITERS
.loop:
    dec ecx
    jnz .loop
    rdtsc
    sub eax, [ss:T_USER]
    sbb edx, [ss:T_USER + 4]
    mov [ss:T_USER + 8], eax
    mov [ss:T_USER + 12], edx
    T_PUTS `iterations 0x`
    T_PUTHEX ITERS
    T_PUTS ` elapsed 0x`
    T_PUTHEX [ss:T_USER + 12]
    T_PUTHEX [ss:T_USER + 8]
    T_PUTS `\n`
    T_PASS 'count-done'
    T_DONE

ROM_END
