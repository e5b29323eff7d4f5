; tests/guests/twovcpu.asm - a guest of two VCPUs (tests/system/dts/
; smp-vcpus.dts): both start at the reset vector and ask the hypervisor
; which they are (VMCALL VCPU_ID). VCPU 1 counts forever in RAM, silently,
; on a stack of its own; VCPU 0 prints "start", then runs tick.asm's loop
; (500000 instructions per line) and prints "tick N other M" with M the
; count of VCPU 1 (hex): M stays 0 while VCPU 1 waits for its start (no
; start_all), and grows once it runs.
%include "rom16.inc"

ITERS equ 250000
OTHER equ T_USER + 8            ; dword: VCPU 1's count

start:
    mov eax, 2                  ; VMCALL VCPU_ID: EAX = index in the guest
    vmcall
    test eax, eax
    jnz other
    T_INIT
    cli
    T_PUTS `start\n`
    xor ebx, ebx
.next:
    mov ecx, ITERS
.loop:
    dec ecx
    jnz .loop
    inc ebx
    T_PUTS `tick 0x`
    T_PUTHEX ebx
    T_PUTS ` other 0x`
    T_PUTHEX [ss:OTHER]
    T_PUTS `\n`
    jmp .next

other:
    cli
    mov sp, 0x6000
    mov dword [ss:OTHER], 0
.count:
    inc dword [ss:OTHER]
    jmp .count

ROM_END
