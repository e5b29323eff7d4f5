; boot/ap_trampoline.asm - how an application processor (AP) gets from the
; real mode a startup IPI leaves it in to the C entry smp_ap_entry().
;
; Owns three pieces:
;  - ap_trampoline_start..end: a few bytes of 16-bit code that smp.c copies
;    to a free 4 KiB page below 1 MiB (the SIPI vector is that page's
;    number). It holds no address that depends on where it is copied: it
;    loads a GDT that lives in the kernel image (32-bit GDTR base) and jumps
;    far to ap_pm32, also in the kernel, both link-time constants below 4 GiB.
;  - ap_pm32: 32-bit protected mode, paging off: PAE, CR3 = ap_boot_cr3
;    (the BSP's page tables, or the boot tables when those lie above 4 GiB),
;    EFER.LME (+NXE as the BSP has it), caches on (INIT left CR0.CD/NW
;    set), paging on, far jump to 64-bit code.
;  - ap_start64: data segments, the AP's stack (ap_boot_stack), FS base ->
;    its struct percpu (ap_boot_percpu, whose canary at 0x28 the BSP already
;    filled in), then smp_ap_entry(percpu). The BSP starts one AP at a time,
;    so one set of ap_boot_* variables (smp.c) is enough.

MSR_EFER        equ 0xC0000080
MSR_FS_BASE     equ 0xC0000100
CR0_PE          equ 1 << 0
CR0_WP          equ 1 << 16
CR0_NW          equ 1 << 29
CR0_CD          equ 1 << 30
CR0_PG          equ 1 << 31
CR4_PAE         equ 1 << 5

AP_CODE64       equ 0x08
AP_DATA         equ 0x10
AP_CODE32       equ 0x18

global ap_trampoline_start, ap_trampoline_end
extern ap_boot_cr3, ap_boot_efer, ap_boot_stack, ap_boot_percpu, smp_ap_entry

section .rodata
bits 16
; entered at CS = page >> 4, IP = 0 (SDM 8.4.4.1); DS is set to CS so that
; offsets from ap_trampoline_start address the copy
ap_trampoline_start:
    cli
    cld
    mov ax, cs
    mov ds, ax
    o32 lgdt [tr_gdtr - ap_trampoline_start]
    mov eax, cr0
    or eax, CR0_PE
    mov cr0, eax
    jmp dword far [tr_pm32 - ap_trampoline_start]
align 4
tr_pm32:
    dd ap_pm32                      ; 32-bit offset ...
    dw AP_CODE32                    ; ... and selector
tr_gdtr:
    dw ap_gdt_end - ap_gdt - 1
    dd ap_gdt
ap_trampoline_end:

section .data
align 16
ap_gdt:                             ; accessed bits preset: no writes to it
    dq 0                            ; 0x00 null
    dq 0x00AF9B000000FFFF           ; 0x08 64-bit code
    dq 0x00CF93000000FFFF           ; 0x10 data, 4 GiB
    dq 0x00CF9B000000FFFF           ; 0x18 32-bit code, 4 GiB
ap_gdt_end:

section .text
bits 32
ap_pm32:
    mov ax, AP_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov eax, [ap_boot_cr3]
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, [ap_boot_efer]          ; LME, and NXE when the BSP uses it
    wrmsr
    mov eax, cr0
    and eax, ~(CR0_CD | CR0_NW)
    or eax, CR0_PE | CR0_PG | CR0_WP
    mov cr0, eax
    jmp AP_CODE64:ap_start64

bits 64
ap_start64:
    mov ax, AP_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, [rel ap_boot_stack]
    xor ebp, ebp                    ; terminates frame-pointer backtraces
    mov rdi, [rel ap_boot_percpu]
    mov rax, rdi
    mov rdx, rdi
    shr rdx, 32
    mov ecx, MSR_FS_BASE
    wrmsr
    call smp_ap_entry               ; does not return
.halt:
    cli
    hlt
    jmp .halt
