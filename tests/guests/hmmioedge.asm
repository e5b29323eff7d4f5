; tests/guests/hmmioedge.asm - MMIO at the edges of an emulated region: the
; guest's VGA text window is 0xB8000-0xBFFFF, 0xC0000 is nothing. Reads and
; writes of every width at its first and last bytes work; then a dword
; write at 0xBFFFE straddles its end - two bytes in the region, two
; outside: the hypervisor must halt the guest naming the access, not
; truncate it silently (issue 10).
%include "rom16.inc"

start:
    T_INIT
    ENTER_UNREAL
    mov byte [fs:dword 0xB8000], 'A'
    mov word [fs:dword 0xB8002], 0x0742
    mov dword [fs:dword 0xB8004], 0x07440743
    mov al, [fs:dword 0xB8000]
    movzx eax, al
    T_EQ eax, 'A', 'mmio-first-byte-round-trip'
    mov eax, [fs:dword 0xB8004]
    T_EQ eax, 0x07440743, 'mmio-dword-round-trip'
    mov byte [fs:dword 0xBFFFF], 0x5A
    movzx eax, byte [fs:dword 0xBFFFF]
    T_EQ eax, 0x5A, 'mmio-last-byte-round-trip'
    T_PUTS `dword write straddling the end of the VGA window at 0xBFFFE\n`
    mov dword [fs:dword 0xBFFFE], 0x41414141
    T_FAIL 'mmio-straddle-halts', 'the guest went on after a write straddling the region end'
    T_DONE

ROM_END
