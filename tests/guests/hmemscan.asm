; tests/guests/hmemscan.asm - a guest scanning guest-physical memory for
; anything it did not write: yields a few times (the victim, hsecret.asm,
; writes its secret first), then reads every dword of its RAM above its own
; variables (0x8000-0x9FFFF, 0x100000-0x1FFFFF): RAM it never wrote must be
; zero - no other guest's data, nothing of the hypervisor's ("FOUND" if
; the secret's first word shows up). Then the holes: 0xA0000 (nothing there)
; and every 1 MiB from 2 MiB to 4 GiB, then the LAPIC and IO-APIC windows,
; each all-ones (unassigned memory) or the guest is halted for it - never
; the secret.
%include "rom16.inc"

start:
    T_INIT
    mov ecx, 4
.y:
    mov eax, 3                     ; YIELD
    vmcall
    loop .y
    ENTER_UNREAL
    xor ebp, ebp                   ; nonzero dwords found
    mov esi, 0x8000
    mov edi, 0xA0000
    call scan
    mov esi, 0x100000
    mov edi, 0x200000
    call scan
    test ebp, ebp
    T_CHECK z, 'memscan-own-ram-zero', {'RAM it never wrote is not zero'}
    T_PUTS `reading 0xA0000 and every 1 MiB up to 4 GiB\n`
    mov esi, 0xA0000
    call probe
    mov esi, 0x200000
.mib:
    call probe
    add esi, 0x100000
    jnz .mib
    mov esi, 0xFEE00000
    call probe
    mov esi, 0xFEC00000
    call probe
    T_PASS 'memscan-beyond-ram-all-ones'
    T_DONE

scan:                              ; dwords ESI..EDI
    mov eax, [fs:esi]
    test eax, eax
    jz .next
    cmp ebp, 4
    jae .count
    T_PUTS `nonzero at 0x`
    T_PUTHEX esi
    T_PUTS `: 0x`
    T_PUTHEX eax
    T_PUTS `\n`
.count:
    inc ebp
    cmp eax, 'SECR'
    jne .next
    T_PUTS `FOUND the other guest's secret at 0x`
    T_PUTHEX esi
    T_PUTS `\n`
.next:
    add esi, 4
    cmp esi, edi
    jb scan
    ret

probe:                             ; [ESI] must read all-ones
    mov eax, [fs:esi]
    cmp eax, 0xFFFFFFFF
    je .ok
    T_PUTS `FAIL memscan-beyond-ram-all-ones: 0x`
    T_PUTHEX eax
    T_PUTS ` at 0x`
    T_PUTHEX esi
    T_PUTS `\n`
    inc dword [ss:T_FAILS]
    cmp eax, 'SECR'
    jne .ok
    T_PUTS `FOUND the other guest's secret at 0x`
    T_PUTHEX esi
    T_PUTS `\n`
.ok:
    ret

ROM_END
