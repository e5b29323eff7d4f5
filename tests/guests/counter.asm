; tests/guests/counter.asm - the benign guest of the fairness tests (issue
; 10): counts iterations of a plain loop until 500 ms of its TSC have
; passed (the TSC rate from CPUID 0x15; interrupts off, no exits), prints
; "loops 0x...", and shuts down. Next to a guest that only computes it
; gets half the CPU; next to an interrupt-storming guest it must get the
; same, less the hypervisor's bounded cost (tests/system/test_storm.py).
%include "rom16.inc"

T0 equ T_USER
WINDOW equ T_USER + 4

start:
    T_INIT
    cli
    mov eax, 0x15
    cpuid
    xchg eax, ecx                  ; eax = crystal, ecx = denominator
    mul ebx
    div ecx                        ; TSC Hz
    shr eax, 1                     ; 500 ms
    mov [ss:WINDOW], eax
    T_PUTS `counting\n`
    xor ebp, ebp
    rdtsc
    mov [ss:T0], eax
.loop:
    inc ebp
    rdtsc
    sub eax, [ss:T0]
    cmp eax, [ss:WINDOW]
    jb .loop
    T_PUTS `loops 0x`
    T_PUTHEX ebp
    T_PUTS `\n`
    T_PASS 'counter-done'
    T_DONE

ROM_END
