; tests/guests/exitconf.asm - exit handlers against a hostile guest, where
; the guest goes on (issue 10): memory no region covers reads all-ones
; (below 4 GiB the open bus page, whatever the instruction) and drops
; writes (reported once, then counted); a port scan and an unknown-MSR spray are reported once each
; only up to a bound, then counted; WRMSR values the CPU refuses (TSC_AUX
; and SFMASK bits 63:32, an invalid MTRR default type, EFER reserved bits,
; EFER.LME changed with paging on) get #GP, never reach the hardware or
; fail the VM entry; RDPMC (no counters in CPUID leaf 0xA) gets #GP(0);
; the injected #GP and #UD push RFLAGS with RF set, as a fault does.
%include "rom16.inc"

N_PORTS equ 100                   ; unassigned ports scanned
N_MSRS  equ 40                    ; unknown MSRs read
PD      equ 0x20000               ; a page directory: one 4 MiB identity page
RAM_IDT equ 0x3000                ; a copy of the 32-bit IDT with two vectors patched

start:
    T_INIT
    ENTER_UNREAL
    ; memory no region covers: 640 KiB-0xB8000, 0xC0000-0xEFFFF, 1 GiB
    mov ebx, 0xA0000
    mov eax, 0x12345678
    mov eax, [fs:ebx]
    T_EQ eax, 0xFFFFFFFF, 'exitconf-unassigned-read-dword-all-ones'
    mov dword [fs:ebx], 0
    mov eax, 0
    mov eax, [fs:ebx]
    T_EQ eax, 0xFFFFFFFF, 'exitconf-unassigned-write-dropped'
    mov ebx, 0xC0000
    xor eax, eax
    mov ax, [fs:ebx]
    T_EQ eax, 0xFFFF, 'exitconf-unassigned-read-word-all-ones'
    mov ebx, 0x40000000
    mov eax, 0x11111111
    mov al, [fs:ebx]
    T_EQ eax, 0x111111FF, 'exitconf-unassigned-read-byte-all-ones'
    mov dword [fs:ebx], 0          ; a second write: dropped, counted
    ; the open bus answers any instruction, not only the MOVs the
    ; hypervisor decodes: CMP with a memory operand, LODS
    xor edx, edx
    cmp dword [fs:ebx], -1
    sete dl
    T_EQ edx, 1, 'exitconf-unassigned-cmp-all-ones'
    mov esi, 0xC1000
    a32 fs lodsd
    T_EQ eax, 0xFFFFFFFF, 'exitconf-unassigned-lods-all-ones'

    ; a port scan: N_PORTS unassigned ports, each read once
    mov eax, 0x11111111            ; the upper bytes stay: only AL is read
    mov dx, 0x1000
    mov cx, N_PORTS
.scan:
    in al, dx
    inc dx
    loop .scan
    T_EQ eax, 0x111111FF, 'exitconf-port-scan-reads-all-ones'

    ; an MSR spray: N_MSRS unknown MSRs, each #GP
    mov dword [ss:T_USER], 0
    mov esi, 0x40001000
.msr:
    mov dword [ss:T_RESUME], .msr_after - $$
    mov byte [ss:T_VEC], 0xFF
    mov ecx, esi
    rdmsr
.msr_after:
    cmp byte [ss:T_VEC], 13
    jne .msr_next
    inc dword [ss:T_USER]
.msr_next:
    inc esi
    cmp esi, 0x40001000 + N_MSRS
    jb .msr
    T_EQ [ss:T_USER], N_MSRS, 'exitconf-unknown-msr-spray-all-gp'

    ENTER_PM32
    ; WRMSR values real CPUs refuse (SDM vol. 4): #GP, the MSR unchanged
    T_FAULT 13, 'exitconf-tsc-aux-high-bits-gp', {WRMSR64 0xC0000103, 1, 0}
    T_FAULT 13, 'exitconf-sfmask-high-bits-gp', {WRMSR64 0xC0000084, 0x80000000, 0}
    T_FAULT 13, 'exitconf-mtrr-def-type-invalid-type-gp', {WRMSR64 0x2FF, 0, 2}
    T_FAULT 13, 'exitconf-efer-reserved-bit-gp', {WRMSR64 0xC0000080, 0, 2}
    mov ecx, 0xC0000084
    rdmsr
    T_EQ edx, 0, 'exitconf-sfmask-unchanged'
    ; RDPMC with no counters in CPUID leaf 0xA: #GP(0), not #UD
    xor ecx, ecx
    T_FAULT 13, 'exitconf-rdpmc-counter-0-gp', {rdpmc}
    T_EQ [ss:T_ERRC], 0, 'exitconf-rdpmc-gp-error-code-0'
    mov ecx, 0x40000000
    T_FAULT 13, 'exitconf-rdpmc-fixed-counter-gp', {rdpmc}

    ; the frame of an injected fault: RF set in the pushed EFLAGS
    mov esi, t_idt32 - $$
    mov edi, RAM_IDT
    mov ecx, t_idt32_end - t_idt32
    cld
    rep movsb
    mov word [es:RAM_IDT + 13 * 8], exitconf_gp - $$
    mov word [es:RAM_IDT + 6 * 8], exitconf_ud - $$
    mov word [ss:T_USER + 8], t_idt32_end - t_idt32 - 1
    mov dword [ss:T_USER + 10], RAM_IDT
    lidt [ss:T_USER + 8]
    mov dword [ss:T_USER + 4], 0
    T_FAULT 13, 'exitconf-unknown-wrmsr-gp-frame', {WRMSR64 0x40001000, 0, 0}
    mov eax, [ss:T_USER + 4]
    and eax, 1 << 16
    T_EQ eax, 1 << 16, 'exitconf-injected-gp-pushes-rf'
    mov dword [ss:T_USER + 4], 0
    T_FAULT 6, 'exitconf-vmxoff-ud-frame', {vmxoff}
    mov eax, [ss:T_USER + 4]
    and eax, 1 << 16
    T_EQ eax, 1 << 16, 'exitconf-injected-ud-pushes-rf'
    lidt [t_idtr32 - $$]

    ; EFER.LME changed while paging is on: #GP (SDM vol. 3 10.8.5), not a
    ; VM entry that fails on LMA against the IA-32e mode guest control
    mov dword [es:PD], 0x83       ; 4 MiB page at 0: present, writable, PS
    mov eax, cr4
    or eax, 1 << 4                ; PSE
    mov cr4, eax
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 1 << 31
    mov cr0, eax
    T_FAULT 13, 'exitconf-efer-lme-with-paging-gp', {WRMSR64 0xC0000080, 0, 0x100}
    mov ecx, 0xC0000080
    rdmsr
    T_EQ eax, 0, 'exitconf-efer-unchanged-after-gp'
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax
    LEAVE_PM32
    T_DONE

bits 32
; #GP and #UD of the patched IDT: keep the pushed EFLAGS, then the usual handler
exitconf_gp:
    push eax
    mov eax, [esp + 16]           ; eax, error code, EIP, CS, EFLAGS
    mov [ss:T_USER + 4], eax
    pop eax
    jmp t_idt32_v13
exitconf_ud:
    push eax
    mov eax, [esp + 12]           ; eax, EIP, CS, EFLAGS
    mov [ss:T_USER + 4], eax
    pop eax
    jmp t_idt32_v6
bits 16

ROM_END
