; tests/guests/bench.asm - the VM-exit benchmark guest (make bench).
;
; In Bochs the TSC counts instructions, so each figure is the number of
; instructions (guest and hypervisor together) of one round trip: the
; exiting instruction, the hypervisor's exit path, and the VM entry back,
; with the cost of the empty measuring loop taken off. Runs in real mode:
; the emulated port is the UART's scratch register (0x3FF), the emulated
; MMIO register the same UART mapped as a virtual memory region at 0xE0000
; (tests/bench/bench.dts). Prints "bench: <what> <n>" lines.
%include "rom16.inc"

ITER equ 1000
MMIO_SEG equ 0xE000

; BENCH_BEGIN / BENCH_END label: time ITER runs of the code between them
%macro BENCH_BEGIN 0
%push bench
    mov ebp, ITER                   ; EBP: CPUID clobbers ECX
    rdtsc
    mov [fs:t0], eax
%$loop:
%endmacro

%macro BENCH_END 1
    dec ebp
    jnz %$loop
%pop
    rdtsc
    sub eax, [fs:t0]
    sub eax, [fs:empty]
    PUTS %1
    call print_per_iter
%endmacro

start:
    mov ax, 0x7000 >> 4             ; variables in RAM at 0x7000 (DS stays the ROM)
    mov fs, ax
    mov ax, MMIO_SEG
    mov es, ax
    ; the cost of the loop itself
    mov ebp, ITER
    rdtsc
    mov [fs:t0], eax
.empty:
    dec ebp
    jnz .empty
    rdtsc
    sub eax, [fs:t0]
    mov [fs:empty], eax

    PUTS `bench: instructions per round trip (Bochs TSC), averaged over 1000\n`

    BENCH_BEGIN
    xor eax, eax
    cpuid
    BENCH_END `bench: cpuid `
    BENCH_BEGIN
    xor eax, eax
    vmcall
    BENCH_END `bench: vmcall `
    BENCH_BEGIN
    mov dx, 0x3FF
    mov al, 0x5A
    out dx, al
    BENCH_END `bench: port_out `
    BENCH_BEGIN
    mov dx, 0x3FF
    in al, dx
    BENCH_END `bench: port_in `
    BENCH_BEGIN
    mov byte [es:7], 0x5A
    BENCH_END `bench: mmio_write `
    BENCH_BEGIN
    mov al, [es:7]
    BENCH_END `bench: mmio_read `

    PUTS `PASS bench\n`
    VMCALL_SHUTDOWN 0

; EAX = total instructions over ITER iterations: print EAX / ITER in decimal
print_per_iter:
    xor edx, edx
    mov ebx, ITER
    div ebx
    call print_dec
    PUTS `\n`
    ret

; print EAX in decimal on COM1
print_dec:
    mov ebx, 10
    xor cx, cx
.div:
    xor edx, edx
    div ebx
    push dx
    inc cx
    test eax, eax
    jnz .div
.out:
    pop ax
    add al, '0'
    mov ah, al
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov dx, COM1
    mov al, ah
    out dx, al
    loop .out
    ret

t0 equ 0
empty equ 4

ROM_END
