; tests/guests/initsipi.asm - a guest restarted by a physical INIT and SIPI
; (testsignal=init,sipi:09, tests/system/test_smp.py).
;
; From the reset vector it prints "first start", copies a small blob to
; guest RAM 0x9000 and spins (bounded) waiting for the INIT. After INIT the
; VCPU waits for a SIPI; vector 0x09 starts it at 0900:0000, in the blob,
; which saves the registers it was started with at 0x9100 before touching
; any, and jumps back into the ROM, where they are checked against the
; architectural INIT state (SDM table 9-1) and the SIPI's start address.
; Without INIT the spin ends with FAIL init-arrived.
%include "rom16.inc"

SAVE        equ 0x9100          ; linear; saved by the blob (CS-relative 0x100)
SPIN_ROUNDS equ 400             ; x 250000 x 2 instructions: ~4 s of Bochs time

start:
    T_INIT
    PUTS `first start\n`
    ; the blob to 0000:9000, the save area cleared
    push es
    xor ax, ax
    mov es, ax
    mov si, sipi_blob
    mov di, 0x9000
    mov cx, sipi_blob_end - sipi_blob
    rep movsb
    mov di, SAVE
    mov cx, 0x40
    xor al, al
    rep stosb
    pop es
    mov cx, SPIN_ROUNDS
.round:
    mov ebx, 250000
.spin:
    dec ebx
    jnz .spin
    loop .round
    T_FAIL 'init-arrived', 'no INIT came'
    T_DONE

; runs at CS=0x0900 IP=0 (linear 0x9000); no absolute data references
sipi_blob:
    mov [cs:0x100], edx
    mov [cs:0x104], eax
    mov [cs:0x108], esp
    pushfd                          ; SS=0 SP=0: to 0000:FFFC, RAM
    pop dword [cs:0x10C]
    mov [cs:0x110], cs
    mov [cs:0x112], ds
    mov [cs:0x114], es
    mov [cs:0x116], ss
    mov [cs:0x118], fs
    mov [cs:0x11A], gs
    mov [cs:0x11C], ebx
    jmp 0xF000:after_sipi
sipi_blob_end:

after_sipi:
    cli
    mov ax, cs
    mov ds, ax
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    PUTS `started by SIPI at 0900:0000\n`
    movzx eax, word [ss:SAVE + 0x10]
    T_EQ eax, 0x0900, 'sipi-cs-is-vector-shl-8'
    mov eax, 1
    cpuid
    T_EQ [ss:SAVE + 0x00], eax, 'init-edx-cpu-signature'
    T_EQ [ss:SAVE + 0x04], 0, 'init-eax-zero'
    T_EQ [ss:SAVE + 0x1C], 0, 'init-ebx-zero'
    T_EQ [ss:SAVE + 0x08], 0, 'init-esp-zero'
    T_EQ [ss:SAVE + 0x0C], 0x2, 'init-eflags-2-if-clear'
    movzx eax, word [ss:SAVE + 0x12]
    T_EQ eax, 0, 'init-ds-zero'
    movzx eax, word [ss:SAVE + 0x14]
    T_EQ eax, 0, 'init-es-zero'
    movzx eax, word [ss:SAVE + 0x16]
    T_EQ eax, 0, 'init-ss-zero'
    movzx eax, word [ss:SAVE + 0x18]
    T_EQ eax, 0, 'init-fs-zero'
    movzx eax, word [ss:SAVE + 0x1A]
    T_EQ eax, 0, 'init-gs-zero'
    mov eax, cr0
    T_EQ eax, 0x60000010, 'init-cr0-60000010'
    mov eax, cr4
    T_EQ eax, 0, 'init-cr4-zero'
    mov eax, dr7
    T_EQ eax, 0x400, 'init-dr7-400'
    mov ecx, 0xC0000080
    rdmsr
    T_EQ eax, 0, 'init-efer-zero'
    sidt [ss:T_USER]
    movzx eax, word [ss:T_USER]
    T_EQ eax, 0xFFFF, 'init-idt-limit-ffff'
    T_EQ [ss:T_USER + 2], 0, 'init-idt-base-zero'
    T_DONE

ROM_END
