; tests/guests/pmstart.asm - a guest started directly in 32-bit protected
; mode (cpu_mode = "protected", start_pc 0xF0000: flat segments, CS base
; 0, paging off). Before the fix the VCPU started with CR0.PG forced on
; and CR3 = 0 and triple-faulted at its first instruction. Checks that it
; runs, that CR0 reads PE=1 PG=0 and that paging is really off (a store
; to RAM reads back at the same physical address), prints PASS and shuts
; down.
bits 32
org 0xF0000

COM1 equ 0x3F8

start:
    mov esp, 0x7000
    mov esi, msg_run
    call puts
    mov eax, cr0
    and eax, 0x80000001
    cmp eax, 1
    jne .bad_cr0
    mov esi, msg_cr0
    call puts
    mov dword [0x3000], 0x600DF00D
    cmp dword [0x3000], 0x600DF00D
    jne .bad_mem
    mov esi, msg_mem
    call puts
    mov eax, 4                    ; VMCALL SHUTDOWN, status 0
    xor ebx, ebx
    vmcall
    hlt
.bad_cr0:
    mov esi, msg_bad_cr0
    call puts
    jmp .fail
.bad_mem:
    mov esi, msg_bad_mem
    call puts
.fail:
    mov eax, 4
    mov ebx, 1
    vmcall
    hlt

puts:
    lodsb
    test al, al
    jz .done
    mov ah, al
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov dx, COM1
    mov al, ah
    out dx, al
    jmp puts
.done:
    ret

msg_run: db `PASS pmstart-runs\n`, 0
msg_cr0: db `PASS pmstart-cr0-pe-without-pg\n`, 0
msg_mem: db `PASS pmstart-ram-without-paging\n`, 0
msg_bad_cr0: db `FAIL pmstart-cr0-pe-without-pg\n`, 0
msg_bad_mem: db `FAIL pmstart-ram-without-paging\n`, 0

    times 0x10000 - ($ - $$) db 0xF4
