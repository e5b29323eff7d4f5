; boot/entry64.asm - first 64-bit instructions of the bootstrap CPU.
;
; Owns: data segment reload, the boot stack, the per-CPU segment base (FS
; base -> the BSP's per-CPU area, whose offset 0x28 holds the stack-protector
; canary that -fstack-protector-strong code and libfdt read as %fs:0x28), and
; the call into C. The canary is set here, before any C function runs, so no
; protected frame ever sees it change.

MSR_FS_BASE     equ 0xC0000100
PERCPU_CANARY   equ 0x28

global _start64, boot_stack_top
extern vmm_boot_entry, percpu_bsp_area

BOOT_STACK_SIZE equ 16384

section .text
bits 64

_start64:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    xor ebp, ebp                    ; terminates frame-pointer backtraces

    ; FS base -> BSP per-CPU area
    mov rax, percpu_bsp_area
    mov rdx, rax
    shr rdx, 32
    mov ecx, MSR_FS_BASE
    wrmsr

    ; canary: TSC mixed with a constant, low byte zero (stops string overruns)
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov rdx, 0x9E3779B97F4A7C15
    imul rax, rdx
    xor al, al
    mov rdx, percpu_bsp_area
    mov [rdx + PERCPU_CANARY], rax

    ; vmm_boot_entry(magic, info): EDI and ESI were set in 32-bit code
    mov edi, edi
    mov esi, esi
    call vmm_boot_entry
.halt:
    cli
    hlt
    jmp .halt

section .bss
align 16
boot_stack:
    resb BOOT_STACK_SIZE
boot_stack_top:
