; tests/guests/hsecret.asm - the victim of the memory-scan test: writes a
; secret (the string SECRET-OF-HSECRET and a counter) at every 4 KiB of its
; RAM below 640 KiB and from 1 MiB to 2 MiB, says so, and sleeps (HLT with
; interrupts off). hmemscan.asm, next to it, must never see it.
%include "rom16.inc"

start:
    T_INIT
    ENTER_UNREAL
    mov edi, 0x8000
.low:
    call put
    add edi, 0x1000
    cmp edi, 0xA0000
    jb .low
    mov edi, 0x100000
.high:
    call put
    add edi, 0x1000
    cmp edi, 0x200000
    jb .high
    T_PUTS `secrets written\n`
    cli
    hlt
    jmp $

put:                               ; the secret at linear EDI (FS flat)
    mov dword [fs:edi], 'SECR'
    mov dword [fs:edi + 4], 'ET-O'
    mov dword [fs:edi + 8], 'F-HS'
    mov dword [fs:edi + 12], 'ECRE'
    mov [fs:edi + 16], edi
    ret

ROM_END
