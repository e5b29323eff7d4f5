; tests/guests/vmcall.asm - the hypercall ABI (vmx_exit_vmcall.c): VERSION,
; VCPU_ID, CONSOLE_PUTC (the guest's hvc console, shown with the guest's
; name as prefix), YIELD, TSC, CONSOLE_GETC with nothing typed (-3),
; unknown functions (-1), and from CPL 3 in
; protected mode every function refused with -2 (even SHUTDOWN).
%include "rom16.inc"

%macro HC 1                       ; function
    mov eax, %1
    vmcall
%endmacro

start:
    T_INIT
    mov ebx, 0xDEAD
    HC 0
    T_EQ eax, 1, 'vmcall-version'
    mov ebx, 0xDEAD
    HC 2
    T_EQ eax, 0, 'vmcall-vcpu-id'
    cmp ebx, 16
    T_CHECK b, 'vmcall-vcpu-id-guest-id', 'RBX is no guest id'
    HC 3
    T_EQ eax, 0, 'vmcall-yield-returns-0'
    HC 0x99
    T_EQ eax, 0xFFFFFFFF, 'vmcall-unknown-0x99-minus-1'
    HC 6
    T_EQ eax, 0xFFFFFFFD, 'vmcall-console-getc-none-minus-3'
    HC 7
    T_EQ eax, 0xFFFFFFFF, 'vmcall-unknown-7-minus-1'
    HC 0x40000000
    T_EQ eax, 0xFFFFFFFF, 'vmcall-unknown-0x40000000-minus-1'

    ; TSC: the guest's TSC, as RDTSC reads it
    rdtsc
    mov esi, eax
    HC 5
    mov edi, eax
    rdtsc
    sub edi, esi
    sub eax, esi
    cmp edi, eax
    T_CHECK be, 'vmcall-tsc-between-two-rdtsc', 'hypercall TSC after the next RDTSC'
    cmp edi, 0
    T_CHECK a, 'vmcall-tsc-after-rdtsc', 'hypercall TSC not after the RDTSC before'

    ; CONSOLE_PUTC: one line on the hvc console
    mov si, putc_msg
.putc:
    mov bl, [si]
    test bl, bl
    jz .putc_done
    movzx ebx, bl
    HC 1
    test eax, eax
    jnz .putc_bad
    inc si
    jmp .putc
.putc_bad:
    T_FAIL 'vmcall-console-putc-returns-0', 'RAX not 0'
.putc_done:

    ; CPL 3: VERSION and SHUTDOWN refused with -2
    ENTER_PM32
    mov dword [ss:T_TSS + 4], 0x6000          ; ESP0
    mov dword [ss:T_TSS + 8], T_SEL_FLAT      ; SS0
    mov word [ss:T_TSS + 0x66], 0x68          ; no I/O bitmap
    mov ax, T_SEL_TSS
    ltr ax
    mov dword [ss:T_USER], 0
    mov dword [ss:T_USER + 4], 0
    mov dword [ss:T_RESUME], back - $$
    push dword T_SEL_UDATA
    push dword 0x5000
    pushfd
    push dword T_SEL_UCODE32
    push dword user - $$
    iretd
user:
    mov ax, cs
    and eax, 3
    mov [ss:T_USER + 8], eax
    HC 0
    mov [ss:T_USER], eax
    mov ebx, 99
    HC 4
    mov [ss:T_USER + 4], eax
    int 0x30
back:
    mov esp, 0x7000
    T_EQ [ss:T_USER + 8], 3, 'vmcall-cpl3-reached'
    T_EQ [ss:T_USER], 0xFFFFFFFE, 'vmcall-cpl3-version-refused-minus-2'
    T_EQ [ss:T_USER + 4], 0xFFFFFFFE, 'vmcall-cpl3-shutdown-refused-minus-2'
    T_DONE

putc_msg: db `PASS vmcall-console-putc\n`, 0

ROM_END
