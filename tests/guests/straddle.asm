; tests/guests/straddle.asm - a 4-byte read at 0xBFFFE, whose last two
; bytes lie past the end of the VGA text region (0xB8000-0xBFFFF): not
; truncated silently, the hypervisor must halt the guest naming the region
; and the access.
%include "rom16.inc"

start:
    T_INIT
    ENTER_UNREAL
    mov ebx, 0xBFFFE
    T_PUTS `straddling read at RIP 0x`
    T_PUTHEX .read - $$
    T_PUTS `\n`
.read:
    mov eax, [fs:ebx]
    T_FAIL 'straddle-halts', 'the guest went on after a read across the end of a region'
    T_DONE

ROM_END
