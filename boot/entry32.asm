; boot/entry32.asm - from the loader's 32-bit protected mode into long mode.
;
; Owns: the 32-bit entry point, the check that a Multiboot loader started us
; (anything else is told so on COM1 and the CPU stops), the check for long
; mode, the boot page tables (identity map of the first 4 GiB with 2 MiB
; pages), the boot GDT, and the jump to 64-bit code. The C code replaces the
; page tables and the GDT once it knows the memory map.

MB2_BOOT_MAGIC  equ 0x36D76289
MB1_BOOT_MAGIC  equ 0x2BADB002
COM1            equ 0x3F8

CR0_PE          equ 1 << 0
CR0_WP          equ 1 << 16
CR0_PG          equ 1 << 31
CR4_PAE         equ 1 << 5
MSR_EFER        equ 0xC0000080
EFER_LME        equ 1 << 8
EFER_NXE        equ 1 << 11

PTE_P           equ 1 << 0
PTE_W           equ 1 << 1
PTE_PS          equ 1 << 7

global _start32, boot_gdt64, boot_gdt64_ptr, boot_pml4
extern _start64, boot_stack_top

section .boot32 progbits alloc exec nowrite
bits 32

_start32:
    cli
    cld
    mov esp, boot_stack_top
    mov edi, eax                    ; keep the loader's magic
    mov ebp, ebx                    ; and its information pointer

    cmp eax, MB2_BOOT_MAGIC
    je .loader_ok
    cmp eax, MB1_BOOT_MAGIC
    je .loader_ok
    mov esi, msg_not_multiboot
    jmp stop_with_message

.loader_ok:
    ; long mode available? CPUID 0x80000001 EDX bit 29
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode
    mov ebx, edx                    ; EDX bit 20 = NX, used below

    ; boot page tables: PML4[0] -> PDPT, PDPT[0..3] -> four PDs of 2 MiB pages
    mov eax, boot_pdpt
    or eax, PTE_P | PTE_W
    mov [boot_pml4], eax
    mov ecx, 0
.fill_pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd
    or eax, PTE_P | PTE_W
    mov [boot_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .fill_pdpt
    mov ecx, 0
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, PTE_P | PTE_W | PTE_PS
    mov [boot_pd + ecx * 8], eax
    mov eax, ecx
    shr eax, 11                     ; high dword of 2 MiB * ecx
    mov [boot_pd + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jb .fill_pd

    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME
    test ebx, 1 << 20
    jz .no_nx
    or eax, EFER_NXE
.no_nx:
    wrmsr
    mov eax, cr0
    or eax, CR0_PE | CR0_PG | CR0_WP
    mov cr0, eax

    lgdt [boot_gdt64_ptr]
    mov esi, ebp                    ; second C argument: boot information
    jmp 0x08:_start64

.no_long_mode:
    mov esi, msg_no_long_mode
    ; fall through

; Print the NUL-terminated string at ESI on COM1 (115200 8N1) and stop.
stop_with_message:
    mov dx, COM1 + 1
    xor al, al
    out dx, al                      ; IER = 0
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al                      ; DLAB
    mov dx, COM1
    mov al, 1
    out dx, al                      ; divisor 1 = 115200 baud
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 3
    out dx, al                      ; 8N1
.next_char:
    lodsb
    test al, al
    jz .halt
    mov ah, al
    mov dx, COM1 + 5
.wait_thr:
    in al, dx
    test al, 0x20
    jz .wait_thr
    mov dx, COM1
    mov al, ah
    out dx, al
    jmp .next_char
.halt:
    cli
    hlt
    jmp .halt

section .rodata
msg_not_multiboot:
    db "xvisor-x86: not started by a Multiboot2 (or Multiboot) loader; "
    db "boot it with GRUB 'multiboot2'. CPU stopped.", 13, 10, 0
msg_no_long_mode:
    db "xvisor-x86: this CPU has no 64-bit long mode. CPU stopped.", 13, 10, 0

section .data
align 16
boot_gdt64:
    dq 0                            ; 0x00 null
    dq 0x00AF9A000000FFFF           ; 0x08 64-bit code
    dq 0x00CF92000000FFFF           ; 0x10 data
boot_gdt64_end:
boot_gdt64_ptr:
    dw boot_gdt64_end - boot_gdt64 - 1
    dq boot_gdt64

section .bss
align 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4096 * 4
