; tests/guests/mmio.asm - every MMIO instruction form of vmx_decode.h,
; against the 16550 model mapped as memory at MM (tests/system/dts/
; vmx-mmio.dts: registers at byte offsets 0-7, the scratch register at 7):
; stores 88 89 C6 C7 A2 A3, loads 8A 8B A0 A1, MOVZX/MOVSX 0F B6 B7 BE BF,
; with operand/address-size prefixes, high-byte registers and 16-bit ModRM
; in unreal mode, 32-bit forms in protected mode and REX forms in 64-bit
; mode; transmit through THR. Last an ADD to MMIO, which is not emulated:
; the hypervisor must halt the guest.
%include "rom16.inc"

MM   equ 0xFED00000
SCRO equ 7

start:
    T_INIT
    ENTER_UNREAL                  ; FS: base 0, 4 GiB; GS: base MM

    mov ebx, MM
    ; 88 / 8A, byte registers
    mov al, 0x11
    mov [fs:ebx + SCRO], al
    xor ecx, ecx
    mov cl, [fs:ebx + SCRO]
    T_EQ ecx, 0x11, 'mmio16-88-store-8a-load-byte'
    mov ah, 0x22
    mov [fs:ebx + SCRO], ah
    mov ecx, 0x12345678
    mov ch, [fs:ebx + SCRO]
    T_EQ ecx, 0x12342278, 'mmio16-88-ah-8a-ch-high-bytes'
    ; the hypervisor's decode cache (the last MMIO instruction of the VCPU):
    ; a routine in RAM at 0x8000 loads the scratch register into CL; patched
    ; in place to load DL instead, the same address must be decoded afresh
    xor si, si
.smc_copy:
    mov al, [cs:smc_template + si]
    mov [fs:0x8000 + si], al
    inc si
    cmp si, smc_template_end - smc_template
    jb .smc_copy
    mov byte [fs:ebx + SCRO], 0x5C
    xor ecx, ecx
    xor edx, edx
    call 0x0000:0x8000
    T_EQ ecx, 0x5C, 'mmio16-decode-cache-first-run'
    call 0x0000:0x8000
    T_EQ ecx, 0x5C, 'mmio16-decode-cache-same-bytes-again'
    mov byte [fs:0x8003], 0x53          ; ModRM reg field: CL -> DL
    xor ecx, ecx
    call 0x0000:0x8000
    T_EQ edx, 0x5C, 'mmio16-decode-cache-patched-insn-decoded-again'
    T_EQ ecx, 0, 'mmio16-decode-cache-old-register-untouched'
    ; 89 / 8B: 16-bit, then 32-bit with 0x66
    mov edx, 0xAAAA1233
    mov [fs:ebx + SCRO], dx
    mov esi, 0x55550000
    mov si, [fs:ebx + SCRO]
    T_EQ esi, 0x55550033, 'mmio16-89-8b-word-keeps-upper-half'
    mov edx, 0x77665544
    mov [fs:ebx + SCRO], edx
    mov esi, 0xFFFFFFFF
    mov esi, [fs:ebx + SCRO]
    T_EQ esi, 0x44, 'mmio16-66-89-8b-dword'
    ; C6 / C7 immediates
    mov byte [fs:ebx + SCRO], 0x9A
    xor eax, eax
    mov al, [fs:ebx + SCRO]
    T_EQ eax, 0x9A, 'mmio16-c6-store-imm8'
    mov word [fs:ebx + SCRO], 0x1BCD
    mov al, [fs:ebx + SCRO]
    T_EQ eax, 0xCD, 'mmio16-c7-store-imm16'
    mov dword [fs:ebx + SCRO], 0x123456EF
    mov al, [fs:ebx + SCRO]
    T_EQ eax, 0xEF, 'mmio16-66-c7-store-imm32'
    ; A0-A3 with a 32-bit moffs (0x67)
    mov al, 0x31
    mov [fs:dword MM + SCRO], al
    mov ecx, 0xFFFFFFFF
    mov al, 0
    mov al, [fs:dword MM + SCRO]
    movzx eax, al
    T_EQ eax, 0x31, 'mmio16-a2-a0-moffs-byte'
    mov ax, 0x4432
    mov [fs:dword MM + SCRO], ax
    mov eax, 0xFFFFFFFF
    mov ax, [fs:dword MM + SCRO]
    T_EQ eax, 0xFFFF0032, 'mmio16-a3-a1-moffs-word'
    mov eax, 0x11223344
    mov [fs:dword MM + SCRO], eax
    mov eax, 0xFFFFFFFF
    mov eax, [fs:dword MM + SCRO]
    T_EQ eax, 0x44, 'mmio16-66-a3-a1-moffs-dword'
    ; MOVZX / MOVSX
    mov byte [fs:ebx + SCRO], 0xA5
    mov ecx, 0xFFFFFFFF
    movzx ecx, byte [fs:ebx + SCRO]
    T_EQ ecx, 0xA5, 'mmio16-0fb6-movzx-dword-byte'
    mov ecx, 0x12340000
    movzx cx, byte [fs:ebx + SCRO]
    T_EQ ecx, 0x123400A5, 'mmio16-0fb6-movzx-word-byte'
    mov ecx, 0xFFFFFFFF
    movzx ecx, word [fs:ebx + SCRO]
    T_EQ ecx, 0xA5, 'mmio16-0fb7-movzx-dword-word'
    movsx ecx, byte [fs:ebx + SCRO]
    T_EQ ecx, 0xFFFFFFA5, 'mmio16-0fbe-movsx-dword-byte'
    mov ecx, 0x12340000
    movsx cx, byte [fs:ebx + SCRO]
    T_EQ ecx, 0x1234FFA5, 'mmio16-0fbe-movsx-word-byte'
    mov ecx, 0xFFFFFFFF
    movsx ecx, word [fs:ebx + SCRO]
    T_EQ ecx, 0xA5, 'mmio16-0fbf-movsx-dword-word'
    ; 32-bit SIB forms
    mov esi, 3
    mov byte [fs:ebx + esi * 2 + 1], 0x5C
    mov esi, 1
    xor eax, eax
    mov al, [fs:esi * 4 + MM + 3]
    T_EQ eax, 0x5C, 'mmio16-sib-base-index-and-index-only'
    ; 16-bit ModRM forms through GS (base MM)
    mov byte [gs:SCRO], 0x61
    xor eax, eax
    mov al, [gs:SCRO]
    T_EQ eax, 0x61, 'mmio16-c6-disp16-a0-moffs16'
    xor ecx, ecx
    mov cl, [gs:SCRO]
    T_EQ ecx, 0x61, 'mmio16-modrm16-disp16'
    push bx
    push bp
    mov bx, 3
    mov si, 4
    mov al, [gs:bx + si]
    T_EQ eax, 0x61, 'mmio16-modrm16-bx-si'
    mov bp, 2
    mov di, 1
    mov dl, 0x62
    mov [gs:bp + di + 4], dl
    mov si, 0
    mov al, [gs:word si + SCRO]
    T_EQ eax, 0x62, 'mmio16-modrm16-bp-di-disp8-si-disp16'
    pop bp
    pop bx
    ; other registers of the UART: LSR, and DLL behind LCR.DLAB
    movzx eax, byte [gs:5]
    T_EQ eax, 0x60, 'mmio16-uart-lsr'
    mov byte [gs:3], 0x80
    mov byte [gs:0], 0x01
    mov byte [gs:1], 0x00
    movzx eax, byte [gs:0]
    mov byte [gs:3], 0x03
    T_EQ eax, 0x01, 'mmio16-uart-dll-behind-dlab'
    movzx eax, byte [gs:3]
    T_EQ eax, 0x03, 'mmio16-uart-lcr'
    ; THR: this line goes out through the MMIO UART
    mov si, thr_msg
.thr:
    lodsb
    test al, al
    jz .thr_done
    mov [gs:0], al
    jmp .thr
.thr_done:

    ENTER_PM32
    mov ebx, MM
    mov ax, T_SEL_FLAT            ; no segment prefix: DS flat for a moment
    mov ds, ax
    mov al, 0x71
    mov [ebx + SCRO], al
    mov ecx, 0xFFFFFFFF
    mov cl, [ebx + SCRO]
    mov edx, 0x00000072
    mov [ebx + SCRO], edx
    mov edi, 0xFFFFFFFF
    mov edi, [ebx + SCRO]
    mov ax, T_SEL_ROMDATA
    mov ds, ax
    T_EQ ecx, 0xFFFFFF71, 'mmio32-88-8a-byte'
    T_EQ edi, 0x72, 'mmio32-89-8b-dword'
    mov dx, 0x7373
    mov [es:ebx + SCRO], dx
    mov ecx, 0xFFFFFFFF
    mov cx, [es:ebx + SCRO]
    T_EQ ecx, 0xFFFF0073, 'mmio32-66-89-8b-word'
    mov word [es:ebx + SCRO], 0x0074
    mov dword [es:ebx + SCRO], 0x00000075
    mov eax, 0xFFFFFFFF
    mov eax, [es:MM + SCRO]
    T_EQ eax, 0x75, 'mmio32-c7-a1-moffs32'
    mov al, 0x76
    mov [es:MM + SCRO], al
    mov ecx, 0xFFFFFFFF
    movzx ecx, byte [es:MM + SCRO]
    T_EQ ecx, 0x76, 'mmio32-a2-movzx'
    mov ax, T_SEL_MMIO
    mov gs, ax
    push ebx
    mov ebx, 3
    mov esi, 4
    xor eax, eax
    a16 mov al, [gs:bx + si]
    pop ebx
    T_EQ eax, 0x76, 'mmio32-67-modrm16'

    ENTER_LONG64
    mov ebx, MM
    mov r9b, 0x3C
    mov [rbx + SCRO], r9b
    mov r10, -1
    mov r10, [rbx + SCRO]
    T_EQ64 r10, 0x3C, 'mmio64-rex-r9b-store-rexw-r10-load'
    mov r11, -1
    mov r11d, [rbx + SCRO]
    T_EQ64 r11, 0x3C, 'mmio64-r11d-load-zero-extends'
    mov r12, -1
    mov r12w, [rbx + SCRO]
    T_EQ64 r12, 0xFFFFFFFFFFFF003C, 'mmio64-r12w-load-keeps-upper'
    mov byte [rbx + SCRO], 0xA5
    mov rcx, 0
    movsx rcx, byte [rbx + SCRO]
    T_EQ64 rcx, 0xFFFFFFFFFFFFFFA5, 'mmio64-rexw-0fbe-movsx'
    mov r13, -1
    movzx r13, byte [rbx + SCRO]
    T_EQ64 r13, 0xA5, 'mmio64-rexw-0fb6-movzx'
    mov qword [rbx + SCRO], -2
    mov rsi, -1
    mov sil, [rbx + SCRO]
    T_EQ64 rsi, 0xFFFFFFFFFFFFFFFE, 'mmio64-rexw-c7-imm-sil-load'
    mov edx, 0
    mov dh, [rbx + SCRO]
    T_EQ64 rdx, 0xFE00, 'mmio64-dh-without-rex'
    mov edi, 0x5D
    mov [rbx + SCRO], dil
    mov r8, rbx
    xor eax, eax
    mov al, [r8 + SCRO]
    T_EQ64 rax, 0x5D, 'mmio64-dil-store-rexb-base'
    mov r9, 7
    mov byte [rbx + r9], 0x5E
    xor eax, eax
    mov al, [rbx + r9 * 1]
    T_EQ64 rax, 0x5E, 'mmio64-rexx-index'
    mov rax, -1
    mov al, [abs qword MM + SCRO]
    T_EQ64 rax, 0xFFFFFFFFFFFFFF5E, 'mmio64-a0-moffs64'
    mov rax, -1
    mov rax, [abs qword MM + SCRO]
    T_EQ64 rax, 0x5E, 'mmio64-rexw-a1-moffs64'
    mov eax, 0x5F
    mov [abs qword MM + SCRO], eax
    mov rax, -1
    a32 mov eax, [abs dword MM + SCRO]
    T_EQ64 rax, 0x5F, 'mmio64-a3-and-67-a1-moffs32'
    mov rax, -1
    mov eax, [ebx + SCRO]
    T_EQ64 rax, 0x5F, 'mmio64-67-8b'

    T_PUTS `ADD to MMIO at RIP 0x`
    T_PUTHEX (.add - $$) + T_ROM_BASE
    T_PUTS ` next: the hypervisor must halt this guest\n`
    mov ebx, MM
    mov al, 1
.add:
    add [rbx + SCRO], al
    T_FAIL 'mmio64-add-not-emulated', 'the guest went on after ADD to MMIO'
    T_DONE

thr_msg: db `PASS mmio16-uart-thr-store\n`, 0

; mov cl, [fs:ebx + 7] (64 67 8A 4B 07); retf
smc_template: db 0x64, 0x67, 0x8A, 0x4B, SCRO, 0xCB
smc_template_end:

ROM_END
