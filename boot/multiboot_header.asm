; boot/multiboot_header.asm - the loader-facing headers of the kernel image.
;
; Owns the Multiboot2 header (what GRUB uses) and a Multiboot(1) header with
; the a.out kludge, which lets `qemu-system-x86_64 -kernel build/xvisor.elf`
; load this ELF64 image (QEMU refuses 64-bit ELF files unless the header gives
; the load addresses itself). Both must lie in the first 8 KiB of the file;
; linker.ld puts section .multiboot first.

MB2_MAGIC        equ 0xE85250D6
MB2_ARCH_I386    equ 0
MB1_MAGIC        equ 0x1BADB002
MB1_PAGE_ALIGN   equ 1 << 0
MB1_MEMORY_INFO  equ 1 << 1
MB1_AOUT_KLUDGE  equ 1 << 16
MB1_FLAGS        equ MB1_PAGE_ALIGN | MB1_MEMORY_INFO | MB1_AOUT_KLUDGE

extern _kernel_load_start, _kernel_load_end, _kernel_end, _start32

section .multiboot
align 8
mb2_header:
    dd MB2_MAGIC
    dd MB2_ARCH_I386
    dd mb2_header_end - mb2_header
    dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    ; module alignment tag: modules start on page boundaries
    align 8
    dw 6, 0
    dd 8
    ; framebuffer tag, optional (flags bit 0): any mode. Under UEFI, which
    ; has no VGA text mode, GRUB then passes the GOP framebuffer instead of
    ; warning that no console is available; under BIOS iso/grub.cfg keeps
    ; text mode (gfxpayload=text)
    align 8
    dw 5, 1
    dd 20
    dd 0, 0, 0                   ; width, height, depth: no preference
    ; end tag
    align 8
    dw 0, 0
    dd 8
mb2_header_end:

align 4
mb1_header:
    dd MB1_MAGIC
    dd MB1_FLAGS
    dd -(MB1_MAGIC + MB1_FLAGS)
    dd mb1_header                ; header_addr
    dd _kernel_load_start        ; load_addr
    dd _kernel_load_end          ; load_end_addr
    dd _kernel_end               ; bss_end_addr
    dd _start32                  ; entry_addr
