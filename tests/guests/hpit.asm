; tests/guests/hpit.asm - a hostile guest storming the hypervisor with its
; emulated 8254 (issue 10, finding 2): first channel 0 in mode 2 at count 64
; (18.6 kHz) with IRQ0 unmasked and EOI, for 60 M TSC ticks, while the
; benign guest next to it counts; then every mode 0-5 with counts 1, 2, 4
; and 16, each for 1 M ticks, with EOI and without. The hypervisor must
; stay responsive and give the other guest its share (a minimum period or
; coalescing of missed edges).
%include "rom16.inc"

VEC_IRQ0 equ 0x20
NOEOI equ T_USER + 8

%macro PIT_PROGRAM 2               ; mode, count
    mov al, 0x30 | (%1 << 1)
    out 0x43, al
    mov al, (%2) & 0xFF
    out 0x40, al
    mov al, (%2) >> 8
    out 0x40, al
%endmacro

%macro SPIN_TICKS 1                ; TSC ticks, interrupts on
    rdtsc
    mov ebx, eax
    sti
%%w:
    rdtsc
    sub eax, ebx
    cmp eax, %1
    jb %%w
    cli
%endmacro

start:
    T_INIT
    cli
    mov word [ss:VEC_IRQ0 * 4], irq0
    mov word [ss:VEC_IRQ0 * 4 + 2], cs
    mov byte [ss:NOEOI], 0
    PIC_INIT 0x20, 0x28, 0xFE, 0xFF
    T_PUTS `PIT mode 2 count 64\n`
    PIT_PROGRAM 2, 64
    SPIN_TICKS 60000000
    T_PASS 'pit-count-64-phase-done'
%assign eoi 0
%rep 2
    mov byte [ss:NOEOI], eoi
%assign mode 0
%rep 6
%assign c 1
%rep 4
    PIT_PROGRAM mode, c
    SPIN_TICKS 1000000
    mov al, 0x20                   ; a stuck in-service IRQ0 is the guest's business
    out 0x20, al
%assign c c*2
%if c == 8
%assign c 16
%endif
%endrep
%assign mode mode+1
%endrep
%assign eoi eoi+1
%endrep
    T_PASS 'pit-all-modes-done'
    T_DONE

irq0:
    cmp byte [ss:NOEOI], 0
    jne .out
    push ax
    mov al, 0x20
    out 0x20, al
    pop ax
.out:
    iret

ROM_END
