; tests/guests/unmapped.asm - a read of guest physical 0x40000000, outside
; every region of the guest (from unreal mode), by a strict guest
; (unassigned_io = "halt" in vmx-faults.dts): the hypervisor must halt
; this guest, saying what, where and from which RIP, and dump its
; registers (set to recognisable values here); other guests keep running.
%include "rom16.inc"

start:
    T_INIT
    ENTER_UNREAL
    T_PUTS `reading GPA 0x40000000 at RIP 0x`
    T_PUTHEX .read - $$
    T_PUTS `\n`
    mov eax, 0xA1A1A1A1
    mov ecx, 0xC1C1C1C1
    mov edx, 0xD1D1D1D1
    mov esi, 0x51515151
    mov edi, 0xD2D2D2D2
    mov ebp, 0xB2B2B2B2
    mov ebx, 0x40000000
.read:
    mov al, [fs:ebx]
    T_FAIL 'unmapped-read-halts', 'the guest went on after reading 0x40000000'
    T_DONE

ROM_END
