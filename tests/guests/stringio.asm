; tests/guests/stringio.asm - INS/OUTS (vmx_exit_io.c io_string): REP OUTSB
; of a string to the UART prints it; INSB from the UART's scratch register
; (port 0x3FF); DF=0 and DF=1; 16-bit and 32-bit (0x67) address size; a
; segment override; counts beyond one exit's batch; 32- and 64-bit code;
; and plain IN from ports without a device.
%include "rom16.inc"

SCR equ COM1 + 7
BUF equ 0x2000                    ; segment of a RAM buffer (linear 0x20000)

start:
    T_INIT
    cld

    ; REP OUTSB, DF=0, 16-bit addresses: the line is printed
    mov si, msg1
    mov ecx, 0xABCD0000 + msg1_len
    mov dx, COM1
    rep outsb
    T_EQ ecx, 0xABCD0000, 'outsb-a16-cx-counted-down-ecx-high-kept'
    movzx eax, si
    T_EQ eax, msg1 + msg1_len, 'outsb-a16-si-advanced'

    ; DF=1: the string is stored backwards, SI starts at its last byte
    mov si, msg2r_end - 1
    mov ecx, 0xABCD0000
    mov cx, msg2r_len
    std
    rep outsb
    cld
    movzx eax, si
    T_EQ eax, msg2r - 1, 'outsb-df1-si-moved-down'
    T_EQ ecx, 0xABCD0000, 'outsb-df1-cx-zero'

    ; 32-bit address size: ESI and ECX
    mov esi, msg3
    mov ecx, msg3_len
    a32 rep outsb
    T_EQ esi, msg3 + msg3_len, 'outsb-a32-esi-advanced'
    T_EQ ecx, 0, 'outsb-a32-ecx-zero'

    ; segment override: ES:SI from a copy in RAM
    mov ax, BUF
    mov es, ax
    xor di, di
    mov si, msg4
    mov cx, msg4_len
    rep movsb
    xor si, si
    mov cx, msg4_len
    mov ax, 0x1234                ; DS points elsewhere: ES must be used
    mov ds, ax
    es rep outsb
    mov ax, cs
    mov ds, ax
    xor ax, ax
    mov es, ax

    ; a single OUTSB (no REP) to the scratch register, then INSB of it
    mov dx, SCR
    mov si, byte_5a
    outsb
    in al, dx
    movzx eax, al
    T_EQ eax, 0x5A, 'outsb-single-to-scratch'
    mov ax, BUF
    mov es, ax
    mov dword [es:0], 0
    mov dword [es:4], 0
    xor di, di
    insb
    movzx eax, di
    T_EQ eax, 1, 'insb-single-di-advanced'
    movzx eax, byte [es:0]
    T_EQ eax, 0x5A, 'insb-single-reads-scratch'

    ; REP INSB, DF=0 and DF=1
    mov al, 0xC3
    out dx, al
    xor di, di
    mov cx, 4
    rep insb
    T_EQ dword [es:0], 0xC3C3C3C3, 'rep-insb-df0-fills-buffer'
    movzx eax, di
    T_EQ eax, 4, 'rep-insb-df0-di'
    mov al, 0x7E
    out dx, al
    mov di, 7
    mov cx, 4
    std
    rep insb
    cld
    T_EQ dword [es:4], 0x7E7E7E7E, 'rep-insb-df1-fills-buffer-downwards'
    movzx eax, byte [es:3]
    T_EQ eax, 0xC3, 'rep-insb-df1-stops-at-count'
    movzx eax, di
    T_EQ eax, 3, 'rep-insb-df1-di'

    ; ports without a device (COM2) and without an emulator (PIC) read all-ones
    mov dx, 0x2F8
    mov eax, 0x12345678
    in al, dx
    T_EQ eax, 0x123456FF, 'in-unassigned-port-byte-all-ones'
    in ax, dx
    T_EQ eax, 0x1234FFFF, 'in-unassigned-port-word-all-ones'
    in eax, dx
    T_EQ eax, 0xFFFFFFFF, 'in-unassigned-port-dword-all-ones'
    mov dx, 0x5A0                  ; region "noemu" (vmx-handlers.dts): no emulator
    xor eax, eax
    in al, dx
    T_EQ eax, 0xFF, 'in-port-without-emulator-all-ones'
    mov dx, SCR
    mov al, 0x42
    out dx, al
    mov eax, 0xFFFFFFFF
    in eax, dx
    T_EQ eax, 0x42, 'in-dword-from-uart-zero-extends'

    ; 32-bit address size INSB, with EDI above 64 KiB through unreal ES
    ENTER_UNREAL
    mov dx, SCR
    mov al, 0x96
    out dx, al
    mov edi, 0x30000
    mov dword [es:edi], 0
    mov ecx, 3
    a32 rep insb
    T_EQ dword [es:dword 0x30000], 0x00969696, 'rep-insb-a32-above-64k'
    T_EQ edi, 0x30003, 'rep-insb-a32-edi'

    ; more iterations than one exit handles (the rest re-executes)
    mov esi, 0
    mov ecx, 5000
    a32 rep outsb                 ; DS:ESI = ROM bytes 0..4999
    T_EQ ecx, 0, 'rep-outsb-5000-ecx-zero'
    T_EQ esi, 5000, 'rep-outsb-5000-esi'
    in al, dx
    movzx eax, al
    movzx ebx, byte [4999]
    T_EQ eax, ebx, 'rep-outsb-5000-last-byte-in-scratch'
    mov edi, 0x40000
    mov ecx, 5000
    a32 rep insb
    T_EQ edi, 0x40000 + 5000, 'rep-insb-5000-edi'
    movzx ebx, byte [es:dword 0x40000 + 4999]
    T_EQ eax, ebx, 'rep-insb-5000-last-byte'

    ENTER_PM32
    mov esi, msg5
    mov ecx, msg5_len
    mov dx, COM1
    rep outsb                     ; DS based at the ROM
    T_EQ ecx, 0, 'outsb-pm32-ecx-zero'
    ENTER_LONG64
    mov ax, T_SEL_ROMDATA         ; a DS base is ignored in 64-bit mode
    mov ds, ax
    lea rsi, [rel msg6]
    mov rcx, msg6_len
    mov dx, COM1
    rep outsb
    T_EQ ecx, 0, 'outsb-long-mode-rcx-zero'
    lea rax, [rel msg6 + msg6_len]
    T_EQ64 rsi, rax, 'outsb-long-mode-rsi'
    mov ax, T_SEL_FLAT
    mov ds, ax
    T_DONE

msg1: db `PASS outsb-rep-a16-df0\n`
msg1_len equ $ - msg1
msg2r: db `\n1fd-bstuo SSAP`
msg2r_end:
msg2r_len equ $ - msg2r
msg3: db `PASS outsb-rep-a32\n`
msg3_len equ $ - msg3
msg4: db `PASS outsb-es-override\n`
msg4_len equ $ - msg4
msg5: db `PASS outsb-rep-pm32\n`
msg5_len equ $ - msg5
msg6: db `PASS outsb-rep-long-mode\n`
msg6_len equ $ - msg6
byte_5a: db 0x5A

ROM_END
