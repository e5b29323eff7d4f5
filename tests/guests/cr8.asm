; tests/guests/cr8.asm - CR8 is the guest's own (issue 10 finding 3): a
; 64-bit guest writes CR8 = 15 and reads 15 back, a value with a reserved
; bit gives #GP(0), and it shuts down with CR8 = 15. Before the fix the
; write raised the physical LAPIC's task priority: the hypervisor's own
; vectors were blocked and the CPU never woke from its next idle (a
; bootcmd "sleep 500" after this guest never returned).
%include "rom16.inc"

start:
    T_INIT
    ENTER_PM32
    ENTER_LONG64
    mov rax, cr8
    T_EQ64 rax, 0, 'cr8-zero-at-start'
    mov eax, 15
    mov cr8, rax
    mov rax, cr8
    T_EQ64 rax, 15, 'cr8-reads-back-15'
    mov eax, 16
    T_FAULT 13, 'cr8-bit4-gp', {mov cr8, rax}
    mov rax, cr8
    T_EQ64 rax, 15, 'cr8-unchanged-after-gp'
    ; yield with CR8 = 15: the hypervisor and the other guest run on
    mov eax, 3
    vmcall
    mov rax, cr8
    T_EQ64 rax, 15, 'cr8-kept-across-switch'
    T_DONE

ROM_END
