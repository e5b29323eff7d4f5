; tests/guests/taskswitch.asm - a hardware task switch (JMP to a TSS
; selector in 32-bit protected mode): not emulated, so the hypervisor must
; halt this guest saying it is a task switch, to which TSS and from what
; (not "unhandled exit 9"); the guests next to it go on.
%include "rom16.inc"

start:
    T_INIT
    ENTER_PM32
    T_PUTS `task switch at RIP 0x`
    T_PUTHEX .jump - $$
    T_PUTS `\n`
.jump:
    jmp T_SEL_TSS:0
    T_FAIL 'taskswitch-halts', 'the guest went on after a task switch'
    LEAVE_PM32
    T_DONE

ROM_END
