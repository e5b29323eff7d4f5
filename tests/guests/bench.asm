; tests/guests/bench.asm - the VM-exit benchmark guest (make bench).
;
; In Bochs the TSC counts instructions, so each figure is the number of
; instructions (guest and hypervisor together) of one round trip: the
; exiting instruction, the hypervisor's exit path, and the VM entry back,
; with the cost of the empty measuring loop taken off. Runs in real mode:
; the emulated port is the UART's scratch register (0x3FF), and port 0x80
; (the ioport-sink model: the exit path with the least device work); the emulated
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
    mov al, 0x5A
    out 0x80, al
    BENCH_END `bench: sink_out `
    BENCH_BEGIN
    in al, 0x80
    BENCH_END `bench: sink_in `
    BENCH_BEGIN
    mov byte [es:7], 0x5A
    BENCH_END `bench: mmio_write `
    BENCH_BEGIN
    mov al, [es:7]
    BENCH_END `bench: mmio_read `

    call bench_timer
    PUTS `PASS bench\n`
    VMCALL_SHUTDOWN 0

; --- timer figures -----------------------------------------------------------
; PIT expiry -> first instruction of the guest's IRQ0 handler, averaged over
; 20 one-shots (mode 0, 1000 PIT ticks; one more before them not counted): expiry time predicted from the TSC
; rate of CPUID 0x15; and the cost of a 1 kHz timer: iterations of a busy
; loop in 100 ms of TSC without and with the timer running.
bench_timer:
    mov eax, 0x15
    cpuid
    xchg eax, ecx
    mul ebx
    div ecx
    mov [fs:tsc_hz], eax
    PIC_INIT 0x20, 0x28, 0xFE, 0xFF    ; only IRQ0
    xor ax, ax
    mov gs, ax
    mov word [gs:VEC_IRQ0 * 4], irq0_latency
    mov word [gs:VEC_IRQ0 * 4 + 2], cs
    ; expected TSC ticks for 1000 PIT ticks: tsc_hz * 1000 / 1193182
    mov eax, [fs:tsc_hz]
    mov ecx, 1000
    mul ecx
    mov ecx, 1193182
    div ecx
    mov [fs:expect], eax
    mov dword [fs:lat_sum], 0
    mov si, 21                     ; the first one-shot is not counted (below)
.oneshot:
    mov dword [fs:ticks], 0
    cli
    mov al, 0x30                   ; channel 0, LSB+MSB, mode 0
    out 0x43, al
    mov al, 1000 & 0xFF
    out 0x40, al
    mov al, 1000 >> 8
    out 0x40, al                   ; counting starts here
    rdtsc
    mov [fs:t0], eax
    sti
.wait_irq:
    cmp dword [fs:ticks], 0
    je .wait_irq
    cli
    ; the first one-shot starts right after the phases before it: a timer
    ; event of the hypervisor left due by them (its time slice) may land in
    ; it, by chance of phase, and one such shot moved the mean by 100 or
    ; more whenever the exit path changed by an instruction. Not counted.
    cmp si, 21
    jne .counted
    mov dword [fs:lat_sum], 0
.counted:
    dec si
    jnz .oneshot
    mov eax, [fs:lat_sum]
    xor edx, edx
    mov ecx, 20
    div ecx
    PUTS `bench: pit_irq_latency `
    call print_dec
    PUTS `\n`

    ; 1 kHz timer cost: busy loop for 100 ms of TSC, without then with IRQ0
    mov word [gs:VEC_IRQ0 * 4], irq0_count
    mov eax, [fs:tsc_hz]
    xor edx, edx
    mov ecx, 10
    div ecx
    mov [fs:expect], eax
    call busy_loop
    mov eax, [fs:iters]
    mov [fs:iters0], eax
    mov al, 0x34                   ; channel 0 mode 2, 1193 -> 1 kHz
    out 0x43, al
    mov al, 1193 & 0xFF
    out 0x40, al
    mov al, 1193 >> 8
    out 0x40, al
    mov dword [fs:ticks], 0
    sti
    call busy_loop
    cli
    mov al, 0xFF
    out 0x21, al
    ; loop body = 5 instructions; lost iterations * 5 per 100 ms, minus the
    ; guest's own handler (7 instructions per interrupt), times 10 per second
    mov eax, [fs:iters0]
    sub eax, [fs:iters]
    mov ecx, 5
    mul ecx
    mov ebx, eax
    mov eax, [fs:ticks]
    mov ecx, 7
    mul ecx
    sub ebx, eax
    mov eax, ebx
    mov ecx, 10
    mul ecx
    PUTS `bench: timer_1khz_per_s `
    call print_dec
    PUTS `\n`
    PUTS `bench: timer_1khz_irqs_per_100ms `
    mov eax, [fs:ticks]
    call print_dec
    PUTS `\n`
    ret

; iterations of a 5-instruction loop until [expect] TSC ticks have passed
busy_loop:
    xor ebx, ebx
    rdtsc
    mov [fs:t0], eax
.spin:
    inc ebx
    rdtsc
    sub eax, [fs:t0]
    cmp eax, [fs:expect]
    jb .spin
    mov [fs:iters], ebx
    ret

irq0_latency:
    push eax
    push edx
    rdtsc                          ; the handler's first work: read the TSC
    sub eax, [fs:t0]
    sub eax, [fs:expect]
    add [fs:lat_sum], eax
    inc dword [fs:ticks]
    mov al, 0x20
    out 0x20, al
    pop edx
    pop eax
    iret

irq0_count:
    push ax
    inc dword [fs:ticks]
    mov al, 0x20
    out 0x20, al
    pop ax
    iret

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
tsc_hz equ 8
expect equ 12
lat_sum equ 16
ticks equ 20
iters equ 24
iters0 equ 28
VEC_IRQ0 equ 0x20

ROM_END
