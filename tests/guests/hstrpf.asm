; tests/guests/hstrpf.asm - string I/O whose memory operand faults, in
; 64-bit mode: the CPU checks INS/OUTS's operand before the access (SDM
; INS/OUTS exceptions, 4.7), so the hypervisor emulating them must raise
; the same faults in the guest, not halt it: OUTSB from a linear address no
; page maps is #PF (error 0, CR2 = the address); REP INSB running from RAM
; into a read-only page with CR0.WP is #PF (error 3: present, write) at the
; first byte of that page, with RCX and RDI telling the iterations done; a
; non-canonical address is #GP(0). A ring-3 program given ports by its OS
; could otherwise halt its whole guest (or, without the rights check, have
; the hypervisor write through a read-only or supervisor mapping for it).
%include "rom16.inc"

start:
    T_INIT
    ENTER_PM32
    ENTER_LONG64
    ; PD entry 1 (0x200000-0x3FFFFF) read-only, CR0.WP on
    and qword [abs T_PML4 + 0x2000 + 8], ~2
    mov rax, cr3
    mov cr3, rax
    mov rax, cr0
    bts rax, 16
    mov cr0, rax
    mov rsi, 0x100000000           ; beyond the 4 GiB the tables map
    mov dx, 0x80
    T_FAULT 14, 'outs-not-present-pf', outsb
    mov rax, [abs T_ERRC]
    T_EQ eax, 0, 'outs-not-present-error-code'
    mov rax, cr2
    mov rbx, 0x100000000
    cmp rax, rbx
    T_CHECK e, 'outs-not-present-cr2', 'CR2 is not the address'
    mov rdi, 0x1FFFFC
    mov rcx, 8
    mov dx, 0x80
    cld
    T_FAULT 14, 'rep-ins-read-only-pf', rep insb
    mov rax, [abs T_ERRC]
    T_EQ eax, 3, 'rep-ins-read-only-error-code'
    T_EQ ecx, 4, 'rep-ins-rcx-left'
    T_EQ edi, 0x200000, 'rep-ins-rdi-at-fault'
    mov rax, cr2
    T_EQ eax, 0x200000, 'rep-ins-cr2'
    mov rsi, 0x8000000000000000
    T_FAULT 13, 'outs-non-canonical-gp', outsb
    T_DONE

ROM_END
