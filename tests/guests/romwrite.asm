; tests/guests/romwrite.asm - writes to the guest's own ROM (the region at
; 0xF0000 holding this image) are dropped like on real ROM: the old bytes
; read back, the hypervisor reports it once, and the guest goes on. MOV
; forms from real mode and from 32-bit protected mode, and INSB, which the
; hypervisor completes by writing guest memory itself.
%include "rom16.inc"

start:
    T_INIT
    mov byte [cs:target], 0x55
    movzx eax, byte [cs:target]
    T_EQ eax, 0xA5, 'romwrite-byte-imm-dropped'
    mov ax, 0x1234
    mov [cs:target + 1], ax
    movzx eax, word [cs:target + 1]
    T_EQ eax, 0xC3B4, 'romwrite-word-reg-dropped'
    mov eax, 0xFFFFFFFF
    mov [cs:target], eax
    mov eax, [cs:target]
    T_EQ eax, 0x0FC3B4A5, 'romwrite-dword-reg-dropped'
    mov al, 0
    mov [target + 3], al          ; DS = CS: A2 moffs16
    mov eax, [target]
    T_EQ eax, 0x0FC3B4A5, 'romwrite-moffs-dropped'
    ; the reset vector's far jump is ROM too
    mov byte [cs:0xFFF0], 0xF4
    movzx eax, byte [cs:0xFFF0]
    T_EQ eax, 0xEA, 'romwrite-reset-vector-dropped'

    ; INS writes guest memory without an EPT violation: into ROM too?
    mov dx, COM1 + 7
    mov al, 0x77
    out dx, al
    push es
    mov ax, cs
    mov es, ax
    mov di, target2
    insb
    pop es
    movzx eax, byte [cs:target2]
    T_EQ eax, 0x3C, 'romwrite-insb-dropped'

    ENTER_PM32
    mov dword [target], 0         ; DS based at the ROM
    mov eax, [target]
    T_EQ eax, 0x0FC3B4A5, 'romwrite-pm32-dropped'
    mov byte [es:T_ROM_BASE + 0xFFFF], 0
    movzx eax, byte [es:T_ROM_BASE + 0xFFFF]
    T_EQ eax, 0xF4, 'romwrite-pm32-last-byte-dropped'
    T_PASS 'romwrite-guest-continues'
    T_DONE

target: db 0xA5, 0xB4, 0xC3, 0x0F
target2: db 0x3C

ROM_END
