; tests/guests/eptmisconfig.asm - reads guest physical 0x180000 (RAM, the
; highmem region of pc-guest.dtsi, mapped with 4 KiB EPT pages). Booted with
; testept=<this guest>:0x180000 the hypervisor has made the EPT entry that
; maps that page malformed, so the read is an EPT misconfiguration (exit
; 49): the hypervisor must halt this guest, print the EPT walk for the GPA
; with the malformed entry and what is wrong with it, and go on with the
; other guests. Before that, the page next to it must still work (only
; that one entry was changed). Without testept= the read succeeds and the
; guest reports FAIL. The code is tests/guests/include/eptmisconfig.inc.
POISON equ 0x180000
%include "eptmisconfig.inc"
