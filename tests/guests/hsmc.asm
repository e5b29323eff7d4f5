; tests/guests/hsmc.asm - self-modifying code in guest RAM (real mode):
; a routine copied to RAM runs, its immediate is patched and it runs with
; the new value; a store to the very next instruction takes effect; code
; written by the hypervisor itself (REP INSB from the RTC's NVRAM holding
; NOPs over a MOV AL, 1) runs as written.
%include "rom16.inc"

SEG_CODE equ 0x3000                ; linear 0x30000

start:
    T_INIT
    ; copy the routines to 0x3000:0
    push es
    mov ax, SEG_CODE
    mov es, ax
    mov si, routines
    xor di, di
    mov cx, routines_end - routines
    cld
    cs rep movsb
    pop es
    call SEG_CODE:(r_imm - routines)
    T_EQ eax, 0x11111111, 'smc-first-run'
    push ds
    mov ax, SEG_CODE
    mov ds, ax
    mov dword [r_imm - routines + 2], 0x22222222
    pop ds
    call SEG_CODE:(r_imm - routines)
    T_EQ eax, 0x22222222, 'smc-patched-immediate-runs'
    xor eax, eax
    call SEG_CODE:(r_next - routines)
    T_EQ eax, 0, 'smc-store-to-next-instruction-seen'
    ; NOPs from the hypervisor's own emulation: CMOS 0x40 = 0x90
    mov al, 0x40
    out 0x70, al
    mov al, 0x90
    out 0x71, al
    xor eax, eax
    call SEG_CODE:(r_ins - routines)
    T_EQ eax, 0, 'smc-code-written-by-rep-insb-runs'
    T_DONE

routines:
r_imm:
    mov eax, 0x11111111            ; 66 B8 imm32: the immediate at +2
    retf
r_next:
    mov word [cs:.ud - routines], 0x9090
.ud:
    mov al, 1                      ; B0 01, to become 90 90
    retf
r_ins:
    push es
    push cs
    pop es
    mov di, .ud - routines
    mov cx, 2
    mov dx, 0x71
    rep insb
    pop es
.ud:
    mov al, 1                      ; B0 01, to become 90 90
    retf
routines_end:

ROM_END
