; Stand-in for bootmgr in tests/tests/bios_boot.rs: run from a stick's root as BOOTMGR,
; it proves the stick's BIOS boot chain loaded all of it to 2000:0000 and handed over
; the way Windows' boot code does, then reports on COM1 and leaves QEMU through the
; isa-debug-exit device.
;
; The test fills bytes PAYLOAD (0x400)..end-4 with pseudo-random bytes and sets the last dword so
; the checksum below comes to zero: a partial or misordered load fails the check.
;
; Assemble: nasm -f bin -D SIZE=<bytes, a multiple of 4> -o marker.bin marker.asm

bits 16
cpu 386
org 0

%ifndef SIZE
  %error "pass -D SIZE=<total bytes>"
%endif

COM1        equ 0x3F8
EXIT_PORT   equ 0xF4            ; QEMU -device isa-debug-exit,iobase=0xf4
EXIT_OK     equ 0x10            ; QEMU exits with (value << 1) | 1: 33
EXIT_FAILED equ 0x01            ; 3

start:
    mov bx, cs
    mov ds, bx
    mov si, msg_segment
    cmp bx, 0x2000
    jne fail
    mov si, msg_drive
    cmp dl, 0x80
    jb fail
    mov bp, dx                  ; keep the drive number for the report

    xor ax, ax                  ; the boot sector, with its BPB, still at 0000:7C00
    mov es, ax
    mov si, msg_boot_sector
    cmp word [es:0x7DFE], 0xAA55
    jne fail
    mov si, fat32
    mov di, 0x7C00 + 82         ; the BPB's file system type
    mov cx, 8
    repe cmpsb
    mov si, msg_bpb
    jne fail

    ; h = h * 31 + dword, over every dword of this program as loaded, must end at 0
    mov bx, cs
    mov fs, bx
    xor si, si
    xor eax, eax
    mov ecx, SIZE / 4
.sum:
    imul eax, eax, 31
    add eax, [fs:si]
    add si, 4
    jnz .same_segment
    add bx, 0x1000
    mov fs, bx
.same_segment:
    dec ecx
    jnz .sum
    mov si, msg_checksum
    test eax, eax
    jnz fail

    mov si, msg_ok
    call print
    mov ax, bp
    call print_hex_byte
    mov si, msg_size
    call print
    mov al, EXIT_OK
    jmp exit

fail:
    push si
    mov si, msg_failed
    call print
    pop si
    call print
    mov al, EXIT_FAILED
exit:
    push ax
    mov si, newline
    call print
    pop ax
    out EXIT_PORT, al
.halt:                          ; without the exit device
    cli
    hlt
    jmp .halt

print:
    lodsb
    test al, al
    jz .done
    call put
    jmp print
.done:
    ret

print_hex_byte:                 ; AL as two hex digits
    push ax
    shr al, 4
    call .digit
    pop ax
    and al, 0x0F
.digit:
    add al, '0'
    cmp al, '9'
    jbe put
    add al, 'A' - '9' - 1
put:                            ; AL to COM1, once the transmitter is free
    push dx
    push ax
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop ax
    mov dx, COM1
    out dx, al
    pop dx
    ret

%defstr SIZE_TEXT SIZE
fat32           db "FAT32   "
msg_ok          db "OQS-BIOS-BOOT-OK drive=", 0
msg_size        db " bytes=", SIZE_TEXT, 0
msg_failed      db "OQS-BIOS-MARKER-FAILED: ", 0
msg_segment     db "not started at 2000:0000", 0
msg_drive       db "DL is not a hard disk (80h..)", 0
msg_boot_sector db "no boot sector at 0000:7C00", 0
msg_bpb         db "no FAT32 BPB at 0000:7C00", 0
msg_checksum    db "checksum wrong: not loaded whole", 0
newline         db 13, 10, 0

PAYLOAD equ 0x400               ; from here on: filled in by the test
    times PAYLOAD - ($ - $$) db 0
    times SIZE - PAYLOAD db 0
