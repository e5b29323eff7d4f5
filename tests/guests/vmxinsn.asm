; tests/guests/vmxinsn.asm - VMX is not offered to guests: every VMX
; instruction, and the hidden MONITOR and MWAIT, raise #UD in the guest
; (vmx_exit_vmx_insn); RDPMC, which every CPU has, raises #GP(0) (no
; counters in CPUID leaf 0xA). In real mode the CPU itself refuses them; in
; protected and long mode they exit and the hypervisor injects #UD. The
; handlers (IVT, IDT) record the vector and skip the instruction.
%include "rom16.inc"

%macro UD 2+                      ; name, instruction
    T_FAULT 6, %1, %2
%endmacro

start:
    T_INIT
    UD 'vmxinsn-real-vmxon-ud', {vmxon [ss:T_USER]}
    UD 'vmxinsn-real-vmread-ud', {vmread eax, ebx}
    UD 'vmxinsn-real-vmlaunch-ud', {vmlaunch}

    ENTER_PM32
    UD 'vmxinsn-pm32-vmxon-ud', {vmxon [ss:T_USER]}
    UD 'vmxinsn-pm32-vmclear-ud', {vmclear [ss:T_USER]}
    UD 'vmxinsn-pm32-vmptrld-ud', {vmptrld [ss:T_USER]}
    UD 'vmxinsn-pm32-vmptrst-ud', {vmptrst [ss:T_USER]}
    UD 'vmxinsn-pm32-vmread-ud', {vmread eax, ebx}
    UD 'vmxinsn-pm32-vmwrite-ud', {vmwrite ebx, eax}
    UD 'vmxinsn-pm32-vmlaunch-ud', {vmlaunch}
    UD 'vmxinsn-pm32-vmresume-ud', {vmresume}
    UD 'vmxinsn-pm32-vmxoff-ud', {vmxoff}
    UD 'vmxinsn-pm32-invept-ud', {invept eax, [ss:T_USER]}
    UD 'vmxinsn-pm32-invvpid-ud', {invvpid eax, [ss:T_USER]}
    UD 'vmxinsn-pm32-vmfunc-ud', {vmfunc}
    UD 'vmxinsn-pm32-getsec-ud', {getsec}
    xor ecx, ecx
    T_FAULT 13, 'vmxinsn-pm32-rdpmc-gp', {rdpmc}
    mov eax, T_USER
    xor ecx, ecx
    xor edx, edx
    UD 'vmxinsn-pm32-monitor-ud', {monitor}
    xor eax, eax
    UD 'vmxinsn-pm32-mwait-ud', {mwait}
    T_NOFAULT 'vmxinsn-pm32-vmcall-no-ud', {vmcall}

    ENTER_LONG64
    UD 'vmxinsn-long-vmxon-ud', {vmxon [abs T_USER]}
    UD 'vmxinsn-long-vmread-ud', {vmread rax, rbx}
    UD 'vmxinsn-long-vmwrite-ud', {vmwrite rbx, rax}
    UD 'vmxinsn-long-invept-ud', {invept rax, [abs T_USER]}
    T_DONE

ROM_END
