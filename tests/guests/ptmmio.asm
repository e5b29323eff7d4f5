; tests/guests/ptmmio.asm - the guest's page directory placed in an
; emulated region (the VGA text buffer at 0xB8000), then paging on: the
; CPU's own page walk reads that region (an EPT violation with exit
; qualification bit 7 set and bit 8 clear). No instruction made that access:
; the hypervisor must halt the guest saying the page walk touched an
; emulated region, never decode and emulate the instruction at RIP.
%include "rom16.inc"

start:
    T_INIT
    ENTER_PM32
    mov dword [es:0xB8000], 0x83  ; PDE 0: 4 MiB page at 0, present, writable, PS
    mov eax, cr4
    or eax, 1 << 4                ; PSE
    mov cr4, eax
    mov eax, 0xB8000
    mov cr3, eax
    T_PUTS `paging on with the page directory at 0xB8000, next RIP 0x`
    T_PUTHEX .next - $$
    T_PUTS `\n`
    mov eax, cr0
    or eax, 1 << 31
    mov cr0, eax
.next:
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax
    T_FAIL 'ptmmio-halts', 'the guest went on with its page tables in MMIO'
    LEAVE_PM32
    T_DONE

ROM_END
