; tests/guests/eptlarge.asm - eptmisconfig.asm for a 2 MiB EPT page: reads
; guest physical 0x200000, which a guest with 4 MiB of RAM (pc-guest.dtsi,
; highmem 1-4 MiB) has mapped by one 2 MiB EPT entry (a PDE with bit 7).
; With testept=<this guest>:0x200000 that PDE is made malformed; the page
; below it (0x1FF000, a 4 KiB mapping) must still work.
POISON equ 0x200000
%include "eptmisconfig.inc"
