; tests/guests/cr.asm - control and debug registers (vmx_exit_cr.c): the
; CR0/CR4 read shadows (CR4.VMXE and CR0.NE as the guest wrote them), CLTS,
; LMSW/SMSW, CR3, MOV DR, XSETBV; refused values give #GP in protected mode
; (IDT) and, last, in real mode (IVT).
%include "rom16.inc"

%macro DR_RW 2                    ; debug register number, name
    mov eax, 0x1000 + %1 * 0x111
    mov dr%1, eax
    xor eax, eax
    mov eax, dr%1
    T_EQ eax, 0x1000 + %1 * 0x111, %2
%endmacro

start:
    T_INIT

    mov eax, cr4
    T_EQ eax, 0, 'cr4-reads-zero-vmxe-hidden'
    mov eax, cr0
    T_EQ eax, 0x60000010, 'cr0-reads-reset-value'

    ; CR0.NE belongs to the host: the guest reads what it wrote
    mov eax, cr0
    or eax, 0x20
    mov cr0, eax
    mov eax, cr0
    T_EQ eax, 0x60000030, 'cr0-ne-set-reads-back'
    and eax, ~0x20
    mov cr0, eax
    mov eax, cr0
    T_EQ eax, 0x60000010, 'cr0-ne-cleared-reads-back'
    smsw ax
    movzx eax, ax
    T_EQ eax, 0x0010, 'smsw-reads-ne-as-written'

    ; CLTS and LMSW
    mov eax, cr0
    or eax, 8
    mov cr0, eax
    mov eax, cr0
    T_EQ eax, 0x60000018, 'cr0-ts-set'
    clts
    mov eax, cr0
    T_EQ eax, 0x60000010, 'clts-clears-ts'
    mov ax, 0x000E
    lmsw ax
    mov eax, cr0
    T_EQ eax, 0x6000001E, 'lmsw-sets-mp-em-ts'
    smsw ax
    movzx eax, ax
    T_EQ eax, 0x001E, 'smsw-after-lmsw'
    xor ax, ax
    lmsw ax
    mov eax, cr0
    T_EQ eax, 0x60000010, 'lmsw-clears-mp-em-ts'

    ; CR4 bits the guest owns, CR3
    mov eax, (1 << 3) | (1 << 4) | (1 << 9)
    mov cr4, eax
    mov eax, cr4
    T_EQ eax, (1 << 3) | (1 << 4) | (1 << 9), 'cr4-de-pse-osfxsr-read-back'
    xor eax, eax
    mov cr4, eax
    mov eax, 0x00055000
    mov cr3, eax
    mov eax, cr3
    T_EQ eax, 0x00055000, 'cr3-write-read-back'

    ; debug registers, kept per VCPU
    DR_RW 0, 'dr0-write-read-back'
    DR_RW 1, 'dr1-write-read-back'
    DR_RW 2, 'dr2-write-read-back'
    DR_RW 3, 'dr3-write-read-back'
    mov eax, dr6
    T_EQ eax, 0xFFFF0FF0, 'dr6-reset-value'
    mov eax, dr7
    T_EQ eax, 0x400, 'dr7-reset-value'
    mov eax, 0x155
    mov dr7, eax
    mov eax, dr7
    T_EQ eax, 0x555, 'dr7-write-read-back'
    xor eax, eax
    mov dr7, eax
    db 0x0F, 0x21, 0xE0           ; mov eax, dr4
    T_EQ eax, 0xFFFF0FF0, 'dr4-aliases-dr6-without-cr4-de'
    mov eax, 1 << 3               ; CR4.DE: DR4/DR5 are #UD
    mov cr4, eax
    T_FAULT 6, 'dr4-with-cr4-de-ud', {db 0x0F, 0x21, 0xE0}
    xor eax, eax
    mov cr4, eax

    ; cache flushes exit and are completed as no-ops
    T_NOFAULT 'wbinvd-continues', {wbinvd}
    T_NOFAULT 'invd-continues', {invd}

    ; XSETBV: #UD without CR4.OSXSAVE; XCR0 = x87|SSE with it
    T_FAULT 6, 'xsetbv-without-osxsave-ud', {xsetbv}
    mov eax, 1
    cpuid
    bt ecx, 26
    jc .xsave
    T_FAIL 'xsetbv-with-osxsave', 'no XSAVE in CPUID'
    jmp .xsave_done
.xsave:
    mov eax, 1 << 18
    mov cr4, eax
    xor ecx, ecx
    xor edx, edx
    mov eax, 3
    T_NOFAULT 'xsetbv-with-osxsave', {xsetbv}
    xor ecx, ecx
    xgetbv
    T_EQ eax, 3, 'xgetbv-reads-xsetbv-value'
.xsave_done:

    ENTER_PM32
    mov eax, cr4
    or eax, 1 << 13
    T_FAULT 13, 'cr4-vmxe-gp-pm32', {mov cr4, eax}
    mov eax, cr4
    T_EQ eax, 1 << 18, 'cr4-unchanged-after-vmxe-gp'
    mov eax, cr0
    or eax, 0x20                  ; NE changes: the write exits
    and eax, ~(1 << 30)           ; NW without CD
    T_FAULT 13, 'cr0-nw-without-cd-gp-pm32', {mov cr0, eax}
    T_EQ [ss:T_ERRC], 0, 'cr0-gp-error-code-zero'
    xor ax, ax
    lmsw ax
    mov eax, cr0
    T_EQ eax, 0x60000011, 'lmsw-cannot-clear-pe'
    mov eax, 2                    ; XCR0 with SSE but no x87
    xor edx, edx
    xor ecx, ecx
    T_FAULT 13, 'xsetbv-without-x87-gp-pm32', {xsetbv}

    LEAVE_PM32
    mov eax, 1 << 13
    T_FAULT 13, 'cr4-vmxe-gp-real', {mov cr4, eax}
    T_DONE

ROM_END
