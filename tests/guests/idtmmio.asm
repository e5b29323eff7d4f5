; tests/guests/idtmmio.asm - the interrupt table placed over an emulated
; region (the VGA text buffer at 0xB8000), then an exception: delivering it
; reads the vector from that region (an EPT violation with IDT-vectoring
; information valid). The instruction at RIP is a MOV the hypervisor could
; decode, but it did not make that access: the hypervisor must halt the
; guest saying event delivery touched the region, never emulate the MOV.
%include "rom16.inc"

start:
    T_INIT
    mov word [ss:T_USER], 0x3FF
    mov dword [ss:T_USER + 2], 0xB8000
    o32 lidt [ss:T_USER]
    mov ebx, 0x10000              ; beyond DS's 64 KiB limit: #GP
    T_PUTS `IVT at 0xB8000, #GP at RIP 0x`
    T_PUTHEX .fault - $$
    T_PUTS `\n`
.fault:
    a32 mov al, [ebx]
    o32 lidt [cs:t_idtr_real]
    T_FAIL 'idtmmio-halts', 'the guest went on after event delivery through MMIO'
    T_DONE

ROM_END
