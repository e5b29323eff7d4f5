; tests/guests/modes.asm - the guest changes CPU mode under the hypervisor:
; real mode -> 32-bit protected mode (GDT, far jump) -> 64-bit long mode
; (PAE page tables identity-mapping 4 GiB, EFER.LME by WRMSR, CR0.PG) and
; reports from each; in long mode CPUID, MSRs, 64-bit hypercall results,
; exceptions through the 64-bit IDT, SYSCALL, SWAPGS and CR8; then back to compatibility mode,
; paging off, and into long mode again with a CR0 write that exits (CR0.NE
; changes, so the hypervisor's CR0 handler turns on IA-32e mode); shuts down
; with VMCALL from 64-bit code.
%include "rom16.inc"

start:
    T_INIT
    T_PASS 'modes-real-mode'

    ENTER_PM32
    T_PASS 'modes-protected-mode-32'
    mov eax, cr0
    T_EQ eax, 0x60000011, 'modes-pm32-cr0'
    mov ax, cs
    movzx eax, ax
    T_EQ eax, T_SEL_CODE32, 'modes-pm32-cs'
    T_FAULT 6, 'modes-pm32-ud-through-idt', {ud2}

    ENTER_LONG64
    T_PASS 'modes-long-mode-64'
    mov rax, 0x123456789
    shr rax, 32
    T_EQ64 rax, 1, 'modes-long-mode-64-bit-registers'
    mov ecx, 0xC0000080
    rdmsr
    T_EQ eax, 0x500, 'modes-long-mode-efer-lme-lma'
    mov rax, cr0
    T_EQ64 rax, 0xE0000011, 'modes-long-mode-cr0'
    mov rax, cr4
    T_EQ64 rax, 0x20, 'modes-long-mode-cr4-pae-vmxe-hidden'
    mov rax, cr3
    T_EQ64 rax, T_PML4, 'modes-long-mode-cr3'
    mov eax, 0x40000000
    xor ecx, ecx
    cpuid
    T_EQ ebx, 'Xvis', 'modes-long-mode-cpuid-signature-ebx'
    T_EQ ecx, 'orX8', 'modes-long-mode-cpuid-signature-ecx'
    T_EQ edx, '6VMM', 'modes-long-mode-cpuid-signature-edx'
    mov rax, 0xFFFFFFFF00000000   ; VERSION: the whole of RAX is the function
    vmcall
    T_EQ64 rax, -1, 'modes-long-mode-vmcall-function-is-64-bit'
    xor eax, eax
    vmcall
    T_EQ64 rax, 1, 'modes-long-mode-vmcall-version'
    mov rax, 0x77
    vmcall
    T_EQ64 rax, 0xFFFFFFFFFFFFFFFF, 'modes-long-mode-vmcall-unknown-minus-1'
    mov ecx, 0x12345
    T_FAULT 13, 'modes-long-mode-gp-through-idt64', {rdmsr}
    T_EQ64 [abs T_ERRC], 0, 'modes-long-mode-gp-error-code'
    T_FAULT 6, 'modes-long-mode-ud-through-idt64', {ud2}
    ; a page fault: unmap 2 MiB page 8 (16 MiB) and touch it
    mov qword [abs T_PML4 + 0x2000 + 8 * 8], 0
    invlpg [abs 0x1000000]
    T_FAULT 14, 'modes-long-mode-pf-through-idt64', {mov al, [abs 0x1000000]}
    mov rax, cr2
    T_EQ64 rax, 0x1000000, 'modes-long-mode-cr2'

    ; SYSCALL through STAR/LSTAR/SFMASK and EFER.SCE, set by WRMSR
    mov ecx, 0xC0000080
    rdmsr
    or eax, 1                     ; SCE
    wrmsr
    mov ecx, 0xC0000081           ; STAR: SYSCALL CS = T_SEL_CODE64
    xor eax, eax
    mov edx, T_SEL_CODE64
    wrmsr
    mov ecx, 0xC0000082           ; LSTAR
    lea rax, [rel .syscall_entry]
    mov rdx, rax
    shr rdx, 32
    wrmsr
    mov ecx, 0xC0000084           ; SFMASK: clear AC (bit 18)
    mov eax, 1 << 18
    xor edx, edx
    wrmsr
    xor r11, r11
    mov dword [abs T_USER], 0
    syscall
    jmp .after_syscall
.syscall_entry:
    mov dword [abs T_USER], 1
    mov ax, T_SEL_FLAT
    mov ss, ax
    jmp rcx
.after_syscall:
    T_EQ [abs T_USER], 1, 'modes-long-mode-syscall-lstar'
    mov ecx, 0xC0000080
    rdmsr
    and eax, ~1
    wrmsr
    ; SWAPGS exchanges GS base and KERNEL_GS_BASE inside the CPU
    mov ecx, 0xC0000101           ; GS base = 0x1111000
    mov eax, 0x1111000
    xor edx, edx
    wrmsr
    mov ecx, 0xC0000102           ; KERNEL_GS_BASE = 0x2222000
    mov eax, 0x2222000
    wrmsr
    swapgs
    mov ecx, 0xC0000101
    rdmsr
    T_EQ eax, 0x2222000, 'modes-long-mode-swapgs-gs-base'
    mov ecx, 0xC0000102
    rdmsr
    T_EQ eax, 0x1111000, 'modes-long-mode-swapgs-kernel-gs-base'
    swapgs
    ; CR8 (TPR) in 64-bit mode
    mov eax, 5
    mov cr8, rax
    mov rax, cr8
    T_EQ64 rax, 5, 'modes-long-mode-cr8'
    xor eax, eax
    mov cr8, rax

    ; back to compatibility mode, paging off: out of IA-32e mode
    push T_SEL_CODE32
    push compat - $$
    o64 retf
bits 32
%define T_SS ss:
compat:
    mov ax, T_SEL_ROMDATA
    mov ds, ax
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax
    lidt [t_idtr32]
    T_PASS 'modes-left-long-mode'
    mov ecx, 0xC0000080
    rdmsr
    T_EQ eax, 0x100, 'modes-left-long-mode-efer-lma-clear'
    ; into long mode again; setting CR0.NE makes this write exit
    mov eax, cr0
    or eax, 0x80000020
    mov cr0, eax
    mov ecx, 0xC0000080
    rdmsr
    T_EQ eax, 0x500, 'modes-cr0-exit-path-efer-lma'
    mov eax, cr0
    T_EQ eax, 0xE0000031, 'modes-cr0-exit-path-cr0-ne'
    jmp T_SEL_CODE64:(long2 - $$) + T_ROM_BASE
bits 64
%define T_SS
long2:
    lidt [rel t_idtr64]
    T_PASS 'modes-long-mode-again'
    T_FAULT 6, 'modes-long-mode-again-ud', {ud2}
    T_DONE

ROM_END
