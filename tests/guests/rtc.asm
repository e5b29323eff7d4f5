; tests/guests/rtc.asm - the PC devices around the RTC, without interrupts:
; the MC146818 RTC (registers A-D at power-on, the date in BCD, binary and
; 12-hour form - 2000-01-01 in Bochs (clock time0) and without a host clock
; alike -, SET and writing the time, the rollover into 2000 with the
; century byte, UIP before an update, UF/AF/PF polled in register C, rate 0,
; register C cleared by reading), the CMOS RAM (round trip, NMI-mask bit of
; the index) and the memory-size bytes for 20 MiB of RAM (vmx-devices.dts);
; the 8042 (status, self test 0x55, interface test, configuration byte
; round trip, output port, keyboard reset and identify); port 0x92; the
; port 0x80 sink; the VGA text buffer at 0xB8000 written and read back
; through MMIO with byte, word and dword MOVs; the CRTC's cursor registers.
; Then a reset through the 8042 (command 0xFE) and one through port 0x92:
; guest RAM survives a reset, so a marker in T_USER tells the stages apart.
; Real mode.
%include "rom16.inc"

STAGE equ T_USER               ; dword: 0 first run, 'KBC!' after 0xFE, 'P92!' after port 0x92
SAVED_FAILS equ T_USER + 4     ; dword: failures of the stages before the reset
SEC0 equ T_USER + 8            ; byte scratch
WAIT_MAX equ 0x400000          ; polls before a wait gives up (> 2 s in Bochs)

%macro CMOS_RD 1               ; index -> AL
    mov al, %1
    out 0x70, al
    in al, 0x71
%endmacro

%macro CMOS_WR 2               ; index, value
    mov al, %1
    out 0x70, al
    mov al, %2
    out 0x71, al
%endmacro

%macro KBC_CMD 1
    mov al, %1
    out 0x64, al
%endmacro

%macro KBC_DATA 1
    mov al, %1
    out 0x60, al
%endmacro

start:
    T_INIT                         ; (leaves T_USER alone)
    cmp dword [ss:STAGE], 'KBC!'
    je after_kbc_reset
    cmp dword [ss:STAGE], 'P92!'
    je after_port92_reset

    ; ---- RTC registers at power-on ----
    CMOS_RD 0x0D
    movzx eax, al
    T_EQ eax, 0x80, 'rtc-reg-d-vrt'
    CMOS_RD 0x0A
    and eax, 0x7F                  ; UIP may be set
    T_EQ eax, 0x26, 'rtc-reg-a-divider-and-rate'
    CMOS_RD 0x0B
    movzx eax, al
    T_EQ eax, 0x02, 'rtc-reg-b-24h-bcd'
    in al, 0x70
    movzx eax, al
    T_EQ eax, 0xFF, 'rtc-index-port-reads-ff'

    ; ---- the date, BCD ----
    call wait_no_uip
    CMOS_RD 0x32
    movzx eax, al
    T_EQ eax, 0x20, 'rtc-bcd-century'
    CMOS_RD 0x09
    movzx eax, al
    T_EQ eax, 0x00, 'rtc-bcd-year'
    CMOS_RD 0x08
    movzx eax, al
    T_EQ eax, 0x01, 'rtc-bcd-month'
    CMOS_RD 0x07
    movzx eax, al
    T_EQ eax, 0x01, 'rtc-bcd-day'
    CMOS_RD 0x06
    movzx eax, al
    T_EQ eax, 0x07, 'rtc-weekday-saturday'
    CMOS_RD 0x04
    movzx eax, al
    T_EQ eax, 0x00, 'rtc-bcd-hour'
    CMOS_RD 0x00                   ; valid BCD seconds: digits 0-5 and 0-9
    mov bl, al
    and al, 0x0F
    cmp al, 9
    T_CHECK be, 'rtc-bcd-seconds-digits', {'low digit above 9'}
    cmp bl, 0x59
    T_CHECK be, 'rtc-bcd-seconds-range', {'above 0x59'}

    ; ---- binary ----
    CMOS_WR 0x0B, 0x06
    call wait_no_uip
    CMOS_RD 0x32
    movzx eax, al
    T_EQ eax, 20, 'rtc-binary-century'
    CMOS_RD 0x08
    movzx eax, al
    T_EQ eax, 1, 'rtc-binary-month'
    CMOS_RD 0x00
    movzx eax, al
    cmp eax, 59
    T_CHECK be, 'rtc-binary-seconds-range', {'above 59'}

    ; ---- 12-hour form: midnight is 12 AM ----
    CMOS_WR 0x0B, 0x00
    CMOS_RD 0x04
    movzx eax, al
    T_EQ eax, 0x12, 'rtc-12h-midnight'
    CMOS_WR 0x0B, 0x02

    ; ---- SET: write 1999-12-31 (a Friday) 23:59:59, watch it roll over ----
    CMOS_WR 0x0B, 0x82
    CMOS_WR 0x00, 0x59
    CMOS_WR 0x02, 0x59
    CMOS_WR 0x04, 0x23
    CMOS_WR 0x06, 0x06
    CMOS_WR 0x07, 0x31
    CMOS_WR 0x08, 0x12
    CMOS_WR 0x09, 0x99
    CMOS_WR 0x32, 0x19
    CMOS_RD 0x02
    movzx eax, al
    T_EQ eax, 0x59, 'rtc-set-holds-written-time'
    CMOS_WR 0x0B, 0x02
    mov byte [ss:SEC0], 0x59
    call wait_second
    T_CHECK nc, 'rtc-runs-after-set', {'the seconds did not change'}
    call wait_no_uip
    CMOS_RD 0x02
    movzx eax, al
    T_EQ eax, 0x00, 'rtc-rollover-minutes'
    CMOS_RD 0x04
    movzx eax, al
    T_EQ eax, 0x00, 'rtc-rollover-hours'
    CMOS_RD 0x07
    movzx eax, al
    T_EQ eax, 0x01, 'rtc-rollover-day'
    CMOS_RD 0x08
    movzx eax, al
    T_EQ eax, 0x01, 'rtc-rollover-month'
    CMOS_RD 0x09
    movzx eax, al
    T_EQ eax, 0x00, 'rtc-rollover-year'
    CMOS_RD 0x32
    movzx eax, al
    T_EQ eax, 0x20, 'rtc-rollover-century'
    CMOS_RD 0x06
    movzx eax, al
    T_EQ eax, 0x07, 'rtc-rollover-weekday'

    ; ---- UIP goes up before an update, and the time changes after it ----
    mov ecx, WAIT_MAX
.uip_up:
    CMOS_RD 0x0A
    test al, 0x80
    jnz .uip_seen
    dec ecx
    jnz .uip_up
.uip_seen:
    CMOS_RD 0x00                   ; at once (printing takes longer than
    mov [ss:SEC0], al              ; 244 us): still the old time
    call wait_no_uip
    CMOS_RD 0x00
    mov bl, al
    test ecx, ecx
    T_CHECK nz, 'rtc-uip-set-before-update', {'never saw UIP'}
    cmp bl, [ss:SEC0]
    T_CHECK ne, 'rtc-update-after-uip', {'same second after UIP fell'}

    ; ---- flags polled in register C ----
    CMOS_WR 0x0A, 0x20             ; no periodic rate
    CMOS_RD 0x0C
    CMOS_RD 0x0C
    movzx eax, al
    T_EQ eax, 0x00, 'rtc-reg-c-cleared-by-read'
    CMOS_WR 0x01, 0xC0             ; alarm: everything "don't care"
    CMOS_WR 0x03, 0xFF
    CMOS_WR 0x05, 0xC0
    CMOS_RD 0x00
    mov [ss:SEC0], al
    CMOS_RD 0x0C
    call wait_second
    CMOS_RD 0x0C
    mov bl, al
    movzx eax, bl
    and eax, 0x10
    T_EQ eax, 0x10, 'rtc-uf-polled'
    movzx eax, bl
    and eax, 0x20
    T_EQ eax, 0x20, 'rtc-af-dont-care-polled'
    movzx eax, bl
    and eax, 0xC0
    T_EQ eax, 0x00, 'rtc-no-irqf-pf-without-enables'
    CMOS_WR 0x0A, 0x26             ; 1024 Hz
    CMOS_RD 0x0C
    call spin_3ms
    CMOS_RD 0x0C
    movzx eax, al
    and eax, 0x40
    T_EQ eax, 0x40, 'rtc-pf-polled-1024hz'
    CMOS_WR 0x0A, 0x20
    CMOS_RD 0x0C
    call spin_3ms
    CMOS_RD 0x0C
    movzx eax, al
    and eax, 0x40
    T_EQ eax, 0x00, 'rtc-rate0-no-pf'
    CMOS_WR 0x0A, 0x26

    ; ---- CMOS RAM and memory sizes (20 MiB of RAM) ----
    CMOS_WR 0x40, 0x5A
    CMOS_WR 0x7F, 0xA5
    CMOS_RD 0x40
    movzx eax, al
    T_EQ eax, 0x5A, 'cmos-ram-round-trip'
    CMOS_RD 0x7F
    movzx eax, al
    T_EQ eax, 0xA5, 'cmos-ram-last-byte'
    CMOS_RD 0xC0                   ; bit 7 is the NMI mask
    movzx eax, al
    T_EQ eax, 0x5A, 'cmos-index-nmi-bit-ignored'
    mov bl, 0x15
    call cmos_word
    T_EQ eax, 640, 'cmos-base-memory-kib'
    mov bl, 0x17
    call cmos_word
    T_EQ eax, 19 * 1024, 'cmos-extended-memory-kib'
    mov bl, 0x30
    call cmos_word
    T_EQ eax, 19 * 1024, 'cmos-extended-memory-kib-0x30'
    mov bl, 0x34
    call cmos_word
    T_EQ eax, 4 * 16, 'cmos-memory-above-16m-64k-units'

    ; ---- 8042 keyboard controller ----
    in al, 0x64
    movzx eax, al
    T_EQ eax, 0x14, 'kbc-status-sys-unlocked'
    KBC_CMD 0xAA
    call kbc_read
    T_EQ eax, 0x55, 'kbc-self-test'
    KBC_CMD 0xAB
    call kbc_read
    T_EQ eax, 0x00, 'kbc-interface-test'
    KBC_CMD 0x20
    call kbc_read
    T_EQ eax, 0x65, 'kbc-config-power-on'
    KBC_CMD 0x60
    KBC_DATA 0x47
    KBC_CMD 0x20
    call kbc_read
    T_EQ eax, 0x47, 'kbc-config-round-trip'
    KBC_CMD 0xD0
    call kbc_read
    T_EQ eax, 0xC3, 'kbc-output-port'
    KBC_DATA 0xFF                  ; keyboard reset
    call kbc_read
    T_EQ eax, 0xFA, 'kbd-reset-ack'
    call kbc_read
    T_EQ eax, 0xAA, 'kbd-reset-bat-passed'
    KBC_DATA 0xF2                  ; identify, translated (config bit 6)
    call kbc_read
    mov bl, al
    call kbc_read
    mov bh, al
    call kbc_read
    shl eax, 16
    mov ax, bx
    T_EQ eax, 0x41ABFA, 'kbd-identify-mf2'
    in al, 0x64
    movzx eax, al
    and eax, 0x01
    T_EQ eax, 0, 'kbc-output-buffer-empty'

    ; ---- port 0x92, port 0x80 ----
    in al, 0x92
    movzx eax, al
    T_EQ eax, 0x00, 'port92-power-on'
    mov al, 0x02
    out 0x92, al
    in al, 0x92
    movzx eax, al
    T_EQ eax, 0x02, 'port92-a20-bit'
    mov al, 0x12
    out 0x80, al
    in al, 0x80
    movzx eax, al
    T_EQ eax, 0xFF, 'port80-sink'

    ; ---- VGA text buffer through MMIO ----
    push es
    mov ax, 0xB800
    mov es, ax
    movzx eax, word [es:10 * 160]  ; untouched cell of row 10
    T_EQ eax, 0x0720, 'vga-text-blank-after-reset'
    mov si, vga_msg
    xor di, di
    mov ah, 0x1F
.vga_put:
    mov al, [cs:si]
    test al, al
    jz .vga_written
    mov [es:di], ax                ; MOV r/m16, r16
    inc si
    add di, 2
    jmp .vga_put
.vga_written:
    mov si, vga_msg
    xor di, di
    xor cx, cx                     ; mismatches
.vga_check:
    mov bl, [cs:si]
    test bl, bl
    jz .vga_checked
    mov ax, [es:di]                ; MOV r16, r/m16
    cmp al, bl
    jne .vga_bad
    cmp ah, 0x1F
    je .vga_ok
.vga_bad:
    inc cx
.vga_ok:
    inc si
    add di, 2
    jmp .vga_check
.vga_checked:
    movzx eax, cx
    T_EQ eax, 0, 'vga-text-string-read-back'
    mov byte [es:160], 'B'         ; MOV r/m8, imm8 (row 1)
    mov byte [es:161], 0x2E
    mov al, [es:160]
    movzx eax, al
    T_EQ eax, 'B', 'vga-text-byte-access'
    mov dword [es:162], 0x2E442E57 ; 'W' 'D' in one dword
    mov eax, [es:160]
    T_EQ eax, 0x2E572E42, 'vga-text-dword-access'
    pop es

    ; ---- CRTC ----
    mov dx, 0x3D4
    mov al, 0x0A
    out dx, al
    inc dx
    in al, dx
    movzx eax, al
    T_EQ eax, 0x0D, 'vga-crtc-cursor-start-mode3'
    mov dx, 0x3D4
    mov ax, 0x070E                 ; OUT DX, AX: index 0x0E, data 0x07
    out dx, ax
    mov ax, 0xCF0F
    out dx, ax
    mov al, 0x0E
    out dx, al
    inc dx
    in al, dx
    mov bh, al
    dec dx
    mov al, 0x0F
    out dx, al
    inc dx
    in al, dx
    mov bl, al
    movzx eax, bx
    T_EQ eax, 0x07CF, 'vga-crtc-cursor-location'

    ; ---- reset through the 8042: pulse the reset line ----
    mov eax, [ss:T_FAILS]
    mov [ss:SAVED_FAILS], eax
    mov dword [ss:STAGE], 'KBC!'
    mov dword [ss:T_RESUME], not_a_reset  ; where a stray exception would go
    KBC_CMD 0xFE
    mov dword [ss:STAGE], 0
    T_FAIL 'kbc-reset', 'the guest went on after command 0xFE'
    T_DONE

after_kbc_reset:
    mov dword [ss:STAGE], 0
    mov eax, [ss:SAVED_FAILS]
    mov [ss:T_FAILS], eax
    T_PASS 'kbc-reset-restarts-guest'
    ; the devices came back in their reset state; the CMOS RAM did not
    KBC_CMD 0x20
    call kbc_read
    T_EQ eax, 0x65, 'kbc-config-after-reset'
    CMOS_RD 0x40
    movzx eax, al
    T_EQ eax, 0x5A, 'cmos-ram-kept-over-reset'
    push es
    mov ax, 0xB800
    mov es, ax
    movzx eax, word [es:0]
    pop es
    T_EQ eax, 0x0720, 'vga-text-blank-after-guest-reset'
    in al, 0x92
    movzx eax, al
    T_EQ eax, 0x00, 'port92-after-reset'
    ; ---- and through port 0x92 ----
    mov eax, [ss:T_FAILS]
    mov [ss:SAVED_FAILS], eax
    mov dword [ss:STAGE], 'P92!'
    mov dword [ss:T_RESUME], not_a_reset
    mov al, 0x03
    out 0x92, al
    mov dword [ss:STAGE], 0
    T_FAIL 'port92-reset', 'the guest went on after port 0x92 bit 0'
    T_DONE

after_port92_reset:
    mov dword [ss:STAGE], 0
    mov eax, [ss:SAVED_FAILS]
    mov [ss:T_FAILS], eax
    T_PASS 'port92-reset-restarts-guest'
    T_DONE

; an exception after a reset request: the guest did not restart cleanly at
; the reset vector (its old IVT, still in RAM, brought it here)
not_a_reset:
    mov ax, cs                     ; as rom_entry would have set them
    mov ds, ax
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov dword [ss:STAGE], 0
    movzx eax, byte [ss:T_VEC]
    T_PUTS `exception vector 0x`
    T_PUTHEX eax
    T_PUTS `\n`
    T_FAIL 'reset-vector', 'the guest did not restart at the reset vector'
    T_DONE

; wait until register A shows no update in progress
wait_no_uip:
    push ecx
    mov ecx, WAIT_MAX
.l: CMOS_RD 0x0A
    test al, 0x80
    jz .done
    dec ecx
    jnz .l
.done:
    pop ecx
    ret

; wait until the seconds register differs from [SEC0]; CF set on timeout
wait_second:
    push ecx
    mov ecx, WAIT_MAX
.l: CMOS_RD 0x00
    cmp al, [ss:SEC0]
    jne .done
    dec ecx
    jnz .l
    pop ecx
    stc
    ret
.done:
    pop ecx
    clc
    ret

; about 3 ms of guest time in Bochs: port reads, each a VM exit
spin_3ms:
    push cx
    mov cx, 400
.l: in al, 0x80
    loop .l
    pop cx
    ret

; EAX = CMOS word at BL (low), BL + 1 (high)
cmos_word:
    mov al, bl
    inc al
    out 0x70, al
    in al, 0x71
    mov ah, al
    mov al, bl
    out 0x70, al
    in al, 0x71
    movzx eax, ax
    ret

; EAX = next byte of the 8042's output buffer (0xFFFF if none comes)
kbc_read:
    push ecx
    mov ecx, 0x10000
.l: in al, 0x64
    test al, 0x01
    jnz .full
    dec ecx
    jnz .l
    pop ecx
    mov eax, 0xFFFF
    ret
.full:
    pop ecx
    in al, 0x60
    movzx eax, al
    ret

vga_msg: db 'xvisor rtc guest: VGA text', 0

ROM_END
