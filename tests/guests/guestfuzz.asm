; tests/guests/guestfuzz.asm - the guest-side fuzzer (issue 10, "Must
; deliver" 3): runs seeded pseudo-random instruction bytes in one CPU mode -
; real mode (ring 0), 32-bit protected mode with paging (ring 3) or 64-bit
; mode (ring 3) - and before every other try does a random port read or
; write, MSR read or write, or MMIO access of its own (ring 0). Every
; exception and interrupt ends the try: one handler for all 256 vectors
; (IVT or IDT) resets the stack and segments and starts the next try; the
; PIT at 500 Hz ends tries stuck in a loop. Its code, IDT and IVT template
; live in ROM (the random bytes cannot change them); in the ring-3 modes the
; random bytes reach only three user pages (code 0x20000, data 0x21000,
; stack 0x22000), the TSS's I/O bitmap keeps them off the PIC, PIT, 8042,
; port 0x92 and COM1 (so the watchdog and the console keep working) and off
; ports from 0x400 (each unassigned port is a line at 115200 baud), CLI and
; POPF cannot clear IF, and exceptions switch to the ring-0 stack. Real mode
; has no such walls: CLI, HLT, POPF and IRET bytes become NOPs, the IVT and
; stack are rebuilt before each try, and a try that still wrecks the guest
; (a triple fault, HLT with IF=0 after all, a jump into the hole at
; 0xA0000) ends the run - the hypervisor must say so precisely and go on.
;
; Configuration: the 16 bytes at ROM offset 0xFF00 ("GFUZ", seed, tries,
; mode 0 real / 1 protected / 2 long), patched by the system test
; (tests/system/test_guestfuzz.py) per seed; each mode draws its own stream
; from the seed. The state (random generator, try count) lives in RAM at
; 0x600 and survives a guest reset (a random write to port 0x92 in real
; mode): the run goes on where it was. Prints "seed 0x... mode m tries
; 0x...", "try 0x..." every 1024 tries, and at the end "PASS guestfuzz-done
; exceptions 0x..." (vectors taken), then shuts down.
%include "rom16.inc"

ROM equ 0xF0000
%define A(x) ((x) - $$ + ROM)      ; linear address of a ROM label

ST_MAGIC equ 0x600                 ; 'FZST' once initialised
ST_RNG equ 0x604
ST_TRY equ 0x608
ST_EXC equ 0x60C
ST_MODE equ 0x610
GDT equ 0x1000
TSS equ 0x2000
IOPB equ TSS + 0x68                ; 8 KiB, then 0xFF
PD32 equ 0x10000
PT32 equ 0x11000
PML4 equ 0x12000
PDPT equ 0x13000
PD64 equ 0x14000
PT64 equ 0x15000
UCODE equ 0x20000
UDATA equ 0x21000
USTACK equ 0x22000
KSTACK equ 0x9000
NBYTES equ 15                      ; random bytes per try, then INT 0x80

HC_PUTC equ 1
HC_SHUTDOWN equ 4

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    cmp dword [ST_MAGIC], 'FZST'
    je .resumed
    movzx ebx, byte [cs:cfg_mode]  ; each mode its own stream of the seed
    imul ebx, ebx, 0x9E3779B9
    mov eax, [cs:cfg_seed]
    xor eax, ebx
    jnz .s
    inc eax
.s: mov [ST_RNG], eax
    mov dword [ST_TRY], 0
    mov dword [ST_EXC], 0
    movzx eax, byte [cs:cfg_mode]
    mov [ST_MODE], eax
    mov dword [ST_MAGIC], 'FZST'
    mov si, s_seed
    call puts16
    mov eax, [cs:cfg_seed]
    call puthex16
    mov si, s_mode
    call puts16
    mov eax, [ST_MODE]
    call puthex16
    mov si, s_tries
    call puts16
    mov eax, [cs:cfg_tries]
    call puthex16
    mov si, s_nl
    call puts16
    jmp .go
.resumed:
    mov si, s_resumed
    call puts16
    mov eax, [ST_TRY]
    call puthex16
    mov si, s_nl
    call puts16
.go:
    ; the 8259A pair at 0x20/0x28, only IRQ0; PIT channel 0 at 500 Hz
    PIC_INIT 0x20, 0x28, 0xFE, 0xFF
    mov al, 0x34
    out 0x43, al
    mov ax, 2386
    out 0x40, al
    mov al, ah
    out 0x40, al
    ; user code page: INT3 everywhere
    mov ax, UCODE >> 4
    mov es, ax
    xor di, di
    mov al, 0xCC
    mov cx, 4096
    cld
    rep stosb
    xor ax, ax
    mov es, ax
    cmp dword [ST_MODE], 1
    je near go_pm32
    cmp dword [ST_MODE], 2
    je near go_long
    jmp real_loop

; ---------------------------------------------------------------- helpers
rand16:                            ; EAX = next xorshift32 value
    mov eax, [ss:ST_RNG]
    push edx
    mov edx, eax
    shl edx, 13
    xor eax, edx
    mov edx, eax
    shr edx, 17
    xor eax, edx
    mov edx, eax
    shl edx, 5
    xor eax, edx
    pop edx
    mov [ss:ST_RNG], eax
    ret

puts16:                            ; CS:SI
    push eax
    push ebx
.l: mov bl, [cs:si]
    test bl, bl
    jz .d
    movzx ebx, bl
    mov eax, HC_PUTC
    vmcall
    inc si
    jmp .l
.d: pop ebx
    pop eax
    ret

puthex16:                          ; EAX
    push eax
    push ebx
    push ecx
    push edx
    mov edx, eax
    mov cx, 8
.l: rol edx, 4
    mov ebx, edx
    and ebx, 15
    mov bl, [cs:hexdigits + bx]
    mov eax, HC_PUTC
    vmcall
    loop .l
    pop edx
    pop ecx
    pop ebx
    pop eax
    ret

; is port DX one the random accesses must leave alone? ZF=1: leave it
port_denied16:
    push ax
    mov ax, dx
    cmp ax, 0x20
    je .y
    cmp ax, 0x21
    je .y
    cmp ax, 0x40
    jb .n1
    cmp ax, 0x43
    jbe .y
.n1:
    cmp ax, 0x60
    jb .n2
    cmp ax, 0x64
    jbe .y
.n2:
    cmp ax, 0x92
    je .y
    cmp ax, 0xA0
    je .y
    cmp ax, 0xA1
    je .y
    and ax, 0xFFF8
    cmp ax, 0x3F8
    je .y
    or ax, 1                       ; ZF=0
    pop ax
    ret
.y: xor ax, ax                     ; ZF=1
    pop ax
    ret

hexdigits: db '0123456789ABCDEF'
s_seed: db 'seed 0x', 0
s_mode: db ' mode ', 0
s_tries: db ' tries 0x', 0
s_nl: db 10, 0
s_resumed: db 'restarted by a guest reset; going on after try 0x', 0
s_try: db 'try 0x', 0
s_done: db 'PASS guestfuzz-done exceptions 0x', 0

; ------------------------------------------------------------ real mode
real_trap:                         ; every vector of the IVT
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ds, ax
    mov es, ax
    inc dword [ST_EXC]
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    jmp real_next

real_loop:
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ds, ax
    mov es, ax
    ; the IVT: every vector to real_trap
    xor di, di
    mov cx, 256
.ivt:
    mov word [di], real_trap
    mov word [di + 2], 0xF000
    add di, 4
    loop .ivt
    o32 lidt [cs:real_idtr]
    mov eax, [ST_TRY]
    cmp eax, [cs:cfg_tries]
    jae near fuzz_done16
    call rand16
    test al, 1
    jz .bytes
    call real_action
.bytes:
    ; NBYTES random bytes at 0x2000:0, CLI/HLT/POPF/IRET made NOPs, INT 0x80
    mov ax, UCODE >> 4
    mov es, ax
    xor di, di
.b: call rand16
    cmp al, 0xFA
    je .nop
    cmp al, 0xF4
    je .nop
    cmp al, 0x9D
    je .nop
    cmp al, 0xCF
    jne .st
.nop:
    mov al, 0x90
.st:
    mov [es:di], al
    inc di
    cmp di, NBYTES
    jb .b
    mov word [es:di], 0x80CD
    xor ax, ax
    mov es, ax
    call rand16
    mov ebx, eax
    call rand16
    mov ecx, eax
    call rand16
    mov esi, eax
    call rand16
    mov edi, eax
    call rand16
    mov ebp, eax
    call rand16
    mov edx, eax
    call rand16
    push word 0x0202               ; IF=1: the PIT ends a stuck try
    push word UCODE >> 4
    push word 0
    iret
real_next:
    inc dword [ST_TRY]
    test word [ST_TRY], 1023
    jnz real_loop
    mov si, s_try
    call puts16
    mov eax, [ST_TRY]
    call puthex16
    mov si, s_nl
    call puts16
    jmp real_loop

real_action:                       ; EAX random: a port, MSR or MMIO access
    mov ebx, eax
    shr ebx, 1
    mov edx, ebx
    shr edx, 8
    and edx, 0x3FF                 ; ISA ports: unassigned ones are reported once each
    and ebx, 7
    call rand16
    cmp bl, 0
    je .in
    cmp bl, 1
    je .out
    cmp bl, 2
    je .rdmsr
    cmp bl, 3
    je .wrmsr
    ; MMIO: the VGA text window, a random offset and width
    mov di, ax
    and di, 0x7FFC
    push es
    mov dx, 0xB800
    mov es, dx
    test bl, 1
    jz .mr
    mov [es:di], eax
    pop es
    ret
.mr:
    mov eax, [es:di]
    pop es
    ret
.in:
    in al, dx
    ret
.out:
    call port_denied16
    jz .r
    out dx, al
.r: ret
.rdmsr:
    mov ecx, eax
    and ecx, 0xC00001FF
    rdmsr
    ret
.wrmsr:
    movzx ecx, dl
    and cl, 7
    mov ecx, [cs:msr_list + ecx * 4]
    mov edx, eax
    call rand16
    rol edx, 7
    wrmsr
    ret

msr_list:
    dd 0x10, 0x1D9, 0x277, 0x2FF, 0xC0000080, 0xC0000084, 0xC0000102, 0xC0000103

real_idtr:
    dw 0x3FF
    dd 0

fuzz_done16:
    mov si, s_done
    call puts16
    mov eax, [ST_EXC]
    call puthex16
    mov si, s_nl
    call puts16
    mov dword [ST_MAGIC], 0
    mov eax, HC_SHUTDOWN
    xor ebx, ebx
    vmcall
    jmp $

; ------------------------------------------------- tables for the ring-3 modes
%macro DESC 4                      ; base, limit, access, flags
    dw (%2) & 0xFFFF
    dw (%1) & 0xFFFF
    db ((%1) >> 16) & 0xFF
    db %3
    db (((%2) >> 16) & 0x0F) | ((%4) << 4)
    db ((%1) >> 24) & 0xFF
%endmacro
SEL_C32 equ 0x08
SEL_D equ 0x10
SEL_C64 equ 0x18
SEL_UC32 equ 0x23
SEL_UD equ 0x2B
SEL_UC64 equ 0x33
SEL_TSS equ 0x38

align 8
gdt_rom:
    dq 0
    DESC 0, 0xFFFFF, 0x9B, 0xC     ; 0x08 code32
    DESC 0, 0xFFFFF, 0x93, 0xC     ; 0x10 data
    DESC 0, 0xFFFFF, 0x9B, 0xA     ; 0x18 code64
    DESC 0, 0xFFFFF, 0xFB, 0xC     ; 0x20 user code32
    DESC 0, 0xFFFFF, 0xF3, 0xC     ; 0x28 user data
    DESC 0, 0xFFFFF, 0xFB, 0xA     ; 0x30 user code64
    DESC TSS, 0x68 + 8192, 0x89, 0x0 ; 0x38 TSS (and its upper half in long mode)
    dq 0
gdt_rom_end:
gdtr:
    dw gdt_rom_end - gdt_rom - 1
    dd GDT
idtr32:
    dw 256 * 8 - 1
    dd A(idt32)
idtr64:
    dw 256 * 16 - 1
    dq A(idt64)

align 8
idt32:
%rep 256
    dw A(pm_trap) & 0xFFFF
    dw SEL_C32
    db 0, 0x8E
    dw A(pm_trap) >> 16
%endrep
align 16
idt64:
%rep 256
    dw A(lm_trap) & 0xFFFF
    dw SEL_C64
    db 0, 0x8E
    dw A(lm_trap) >> 16
    dd 0, 0
%endrep

; real mode: GDT, TSS with its I/O bitmap, page tables (both kinds), into RAM
setup_tables:
    cld
    mov si, gdt_rom
    mov di, GDT
    mov cx, gdt_rom_end - gdt_rom
    cs rep movsb
    ; TSS: zero, ring-0 stack, I/O bitmap offset
    mov di, TSS
    xor eax, eax
    mov cx, (0x68 + 8192 + 16) / 4
    rep stosd
    mov dword [TSS + 4], KSTACK
    mov word [TSS + 8], SEL_D
    mov word [TSS + 0x66], 0x68
    mov byte [IOPB + 8192], 0xFF
    ; deny the ports of port_denied16, and all from 0x400
    or byte [IOPB + 0x20 / 8], 0x03
    or byte [IOPB + 0x40 / 8], 0x0F
    or byte [IOPB + 0x60 / 8], 0x1F
    or byte [IOPB + 0x90 / 8], 0x04
    or byte [IOPB + 0xA0 / 8], 0x03
    or byte [IOPB + 0x3F8 / 8], 0xFF
    mov di, IOPB + 0x400 / 8
    mov al, 0xFF
    mov cx, 8192 - 0x400 / 8
    rep stosb
    ; page tables at 64 KiB and up: through ES
    mov ax, PD32 >> 4
    mov es, ax
    xor di, di
    xor eax, eax
    mov ecx, 0x6000 / 4
    rep stosd
    mov dword [es:0], PT32 | 7
    mov eax, 3
    mov di, PT32 - PD32
    mov cx, 1024
.pt32:
    mov [es:di], eax
    add eax, 0x1000
    add di, 4
    loop .pt32
    or byte [es:PT32 - PD32 + (UCODE >> 12) * 4], 4
    or byte [es:PT32 - PD32 + (UDATA >> 12) * 4], 4
    or byte [es:PT32 - PD32 + (USTACK >> 12) * 4], 4
    mov dword [es:PML4 - PD32], PDPT | 7
    mov dword [es:PDPT - PD32], PD64 | 7
    mov dword [es:PD64 - PD32], PT64 | 7
    mov eax, 3
    mov di, PT64 - PD32
    mov cx, 512
.pt64:
    mov [es:di], eax
    add eax, 0x1000
    add di, 8
    loop .pt64
    or byte [es:PT64 - PD32 + (UCODE >> 12) * 8], 4
    or byte [es:PT64 - PD32 + (UDATA >> 12) * 8], 4
    or byte [es:PT64 - PD32 + (USTACK >> 12) * 8], 4
    xor ax, ax
    mov es, ax
    ret

go_pm32:
    call setup_tables
    o32 lgdt [cs:gdtr]
    o32 lidt [cs:idtr32]
    mov eax, PD32
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000001
    mov cr0, eax
    jmp dword SEL_C32:A(pm_start)

go_long:
    call setup_tables
    mov word [TSS + 8], 0          ; the 64-bit TSS: RSP0 is a qword at 4
    o32 lgdt [cs:gdtr]
    o32 lidt [cs:idtr64]
    mov eax, cr4
    or eax, 1 << 5                 ; PAE
    mov cr4, eax
    mov eax, PML4
    mov cr3, eax
    mov ecx, 0xC0000080
    rdmsr
    or eax, 1 << 8
    wrmsr
    mov eax, cr0
    or eax, 0x80000001
    mov cr0, eax
    jmp dword SEL_C64:A(lm_start)

; ------------------------------------------------ 32-bit protected mode
bits 32
pm_start:
    mov ax, SEL_D
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov esp, KSTACK
    mov ax, SEL_TSS
    ltr ax
    jmp pm_loop

pm_trap:
    cld
    mov ax, SEL_D
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov esp, KSTACK
    inc dword [ST_EXC]
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    inc dword [ST_TRY]
    test word [ST_TRY], 1023
    jnz pm_loop
    mov esi, A(s_try)
    call puts32
    mov eax, [ST_TRY]
    call puthex32
    mov esi, A(s_nl)
    call puts32
pm_loop:
    mov eax, [ST_TRY]
    cmp eax, [A(cfg_tries)]
    jae near pm_done
    call rand32
    test al, 1
    jz .bytes
    call action32
.bytes:
    mov edi, UCODE
.b: call rand32
    mov [edi], al
    inc edi
    cmp edi, UCODE + NBYTES
    jb .b
    mov word [edi], 0x80CD
    call rand32
    mov ebx, eax
    call rand32
    mov ecx, eax
    call rand32
    mov edx, eax
    call rand32
    mov esi, eax
    call rand32
    mov edi, eax
    call rand32
    mov ebp, eax
    call rand32
    push SEL_UD
    push USTACK + 0xFF0
    push 0x202
    push SEL_UC32
    push UCODE
    push eax
    mov ax, SEL_UD
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    pop eax
    iretd

pm_done:
    mov esi, A(s_done)
    call puts32
    mov eax, [ST_EXC]
    call puthex32
    mov esi, A(s_nl)
    call puts32
    mov dword [ST_MAGIC], 0
    mov eax, HC_SHUTDOWN
    xor ebx, ebx
    vmcall
    jmp $

rand32:
    push edx
    mov eax, [ST_RNG]
    mov edx, eax
    shl edx, 13
    xor eax, edx
    mov edx, eax
    shr edx, 17
    xor eax, edx
    mov edx, eax
    shl edx, 5
    xor eax, edx
    mov [ST_RNG], eax
    pop edx
    ret

puts32:
    push eax
    push ebx
.l: movzx ebx, byte [esi]
    test bl, bl
    jz .d
    mov eax, HC_PUTC
    vmcall
    inc esi
    jmp .l
.d: pop ebx
    pop eax
    ret

puthex32:
    push eax
    push ebx
    push ecx
    push edx
    mov edx, eax
    mov ecx, 8
.l: rol edx, 4
    mov ebx, edx
    and ebx, 15
    movzx ebx, byte [A(hexdigits) + ebx]
    mov eax, HC_PUTC
    vmcall
    loop .l
    pop edx
    pop ecx
    pop ebx
    pop eax
    ret

action32:                          ; EAX random
    mov ebx, eax
    shr ebx, 1
    mov edx, ebx
    shr edx, 8
    and edx, 0x3FF
    and ebx, 7
    call rand32
    cmp bl, 0
    je .in
    cmp bl, 1
    je .out
    cmp bl, 2
    je .rdmsr
    cmp bl, 3
    je .wrmsr
    mov edx, eax
    and edx, 0x7FFC
    add edx, 0xB8000
    test bl, 1
    jz .mr
    mov [edx], eax
    ret
.mr:
    mov eax, [edx]
    ret
.in:
    in al, dx
    ret
.out:
    movzx ecx, dx
    bt [IOPB], ecx
    jc .r
    out dx, al
.r: ret
.rdmsr:
    mov ecx, eax
    and ecx, 0xC00001FF
    rdmsr
    ret
.wrmsr:
    movzx ecx, dl
    and ecx, 7
    mov ecx, [A(msr_list) + ecx * 4]
    mov edx, eax
    call rand32
    rol edx, 7
    wrmsr
    ret

; ------------------------------------------------------------ 64-bit mode
bits 64
lm_start:
    mov ax, SEL_D
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov rsp, KSTACK
    mov ax, SEL_TSS
    ltr ax
    jmp lm_loop

lm_trap:
    cld
    mov ax, SEL_D
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, KSTACK
    inc dword [abs ST_EXC]
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    inc dword [abs ST_TRY]
    test word [abs ST_TRY], 1023
    jnz lm_loop
    lea rsi, [rel s_try]
    call puts64
    mov eax, [abs ST_TRY]
    call puthex64
    lea rsi, [rel s_nl]
    call puts64
lm_loop:
    mov eax, [abs ST_TRY]
    cmp eax, [rel cfg_tries]
    jae near lm_done
    call rand64
    test al, 1
    jz .bytes
    call action64
.bytes:
    mov edi, UCODE
.b: call rand64
    mov [rdi], al
    inc edi
    cmp edi, UCODE + NBYTES
    jb .b
    mov word [rdi], 0x80CD
%macro RANDREG 1
    call rand64
    mov %1, rax
    call rand64
    shl rax, 32
    or %1, rax
%endmacro
    RANDREG rbx
    RANDREG rcx
    RANDREG rdx
    RANDREG rsi
    RANDREG rdi
    RANDREG rbp
    RANDREG r8
    RANDREG r9
    RANDREG r10
    RANDREG r11
    RANDREG r12
    RANDREG r13
    RANDREG r14
    RANDREG r15
    push SEL_UD
    push USTACK + 0xFF0
    push 0x202
    push SEL_UC64
    push UCODE
    call rand64
    iretq

lm_done:
    lea rsi, [rel s_done]
    call puts64
    mov eax, [abs ST_EXC]
    call puthex64
    lea rsi, [rel s_nl]
    call puts64
    mov dword [abs ST_MAGIC], 0
    mov eax, HC_SHUTDOWN
    xor ebx, ebx
    vmcall
    jmp $

rand64:                            ; EAX (upper half of RAX zero)
    push rdx
    mov eax, [abs ST_RNG]
    mov edx, eax
    shl edx, 13
    xor eax, edx
    mov edx, eax
    shr edx, 17
    xor eax, edx
    mov edx, eax
    shl edx, 5
    xor eax, edx
    mov [abs ST_RNG], eax
    pop rdx
    ret

puts64:
    push rax
    push rbx
.l: movzx ebx, byte [rsi]
    test bl, bl
    jz .d
    mov eax, HC_PUTC
    vmcall
    inc rsi
    jmp .l
.d: pop rbx
    pop rax
    ret

puthex64:
    push rax
    push rbx
    push rcx
    push rdx
    mov edx, eax
    mov ecx, 8
.l: rol edx, 4
    mov ebx, edx
    and ebx, 15
    lea rax, [rel hexdigits]
    movzx ebx, byte [rax + rbx]
    mov eax, HC_PUTC
    vmcall
    loop .l
    pop rdx
    pop rcx
    pop rbx
    pop rax
    ret

action64:                          ; EAX random
    mov ebx, eax
    shr ebx, 1
    mov edx, ebx
    shr edx, 8
    and edx, 0x3FF
    and ebx, 7
    call rand64
    cmp bl, 0
    je .in
    cmp bl, 1
    je .out
    cmp bl, 2
    je .rdmsr
    cmp bl, 3
    je .wrmsr
    mov edx, eax
    and edx, 0x7FFC
    add edx, 0xB8000
    test bl, 1
    jz .mr
    mov [rdx], eax
    ret
.mr:
    mov eax, [rdx]
    ret
.in:
    in al, dx
    ret
.out:
    movzx ecx, dx
    bt [abs IOPB], ecx
    jc .r
    out dx, al
.r: ret
.rdmsr:
    mov ecx, eax
    and ecx, 0xC00001FF
    rdmsr
    ret
.wrmsr:
    movzx ecx, dl
    and ecx, 7
    lea rdx, [rel msr_list]
    mov ecx, [rdx + rcx * 4]
    mov edx, eax
    call rand64
    rol edx, 7
    wrmsr
    ret
bits 16

; ------------------------------------------------------- configuration
    times 0xFF00 - ($ - $$) db 0xF4
cfg:
    db 'GFUZ'
cfg_seed: dd 1
cfg_tries: dd 2048
cfg_mode: db 2
    times 3 db 0

ROM_END
