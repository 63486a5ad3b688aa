; Master boot record code of MBR-style oqs-stick images (legacy BIOS boot).
;
; The BIOS loads this sector to 0000:7C00 and jumps to it with DL = boot drive. It moves
; itself to 0000:0600 (the partition's boot sector must go to 7C00), finds the active
; partition, loads that partition's first sector to 0000:7C00 with the INT 13h
; extensions (LBA: a stick is too large for CHS), and jumps to it with DL = drive and
; DS:SI -> the partition entry, the hand-over every boot sector since DOS expects.
;
; Only the first 440 bytes are code: the disk signature, the partition table and the
; 55AA signature are written by fatimg/src/mbr.rs.
;
; Assemble: nasm -f bin -o mbr.bin mbr.asm (a test checks mbr.bin matches this file).

bits 16
cpu 386
org 0x0600

LOADED      equ 0x7C00          ; where the BIOS put us, and where the boot sector goes
TABLE       equ 0x0600 + 446    ; the partition table, once moved
ENTRY_SIZE  equ 16
READ_TRIES  equ 5

start:
    xor ax, ax
    mov ss, ax
    mov sp, LOADED
    mov ds, ax
    mov es, ax
    cld
    mov si, LOADED
    mov di, 0x0600
    mov cx, 256
    rep movsw
    jmp 0:moved

moved:
    mov [drive], dl

    mov bp, TABLE
    mov cx, 4
.find_active:
    test byte [bp], 0x80
    jnz .active
    add bp, ENTRY_SIZE
    loop .find_active
    mov si, msg_no_active
    jmp fail

.active:
    mov ah, 0x41                ; are the LBA extensions there?
    mov bx, 0x55AA
    int 0x13
    jc .no_lba
    cmp bx, 0xAA55
    jne .no_lba
    test cl, 1                  ; bit 0: AH=42h (extended read) supported
    jnz .read_tries
.no_lba:
    mov si, msg_no_lba
    jmp fail

.read_tries:
    mov di, READ_TRIES
.read:
    push dword 0                ; disk address packet, built on the stack:
    push dword [bp + 8]         ;   LBA of the partition's first sector
    push ds                     ;   buffer segment (0)
    push LOADED                 ;   buffer offset
    push byte 1                 ;   one sector
    push byte 16                ;   packet size
    mov si, sp
    mov dl, [drive]
    mov ah, 0x42
    int 0x13
    lea sp, [si + 16]           ; drop the packet, keeping CF
    jnc .loaded
    xor ax, ax                  ; reset the drive and try again
    mov dl, [drive]
    int 0x13
    dec di
    jnz .read
    mov si, msg_read
    jmp fail

.loaded:
    cmp word [LOADED + 510], 0xAA55
    mov si, msg_no_boot_sector
    jne fail
    mov si, bp
    mov dl, [drive]
    jmp 0:LOADED

; Shows the message at SI, waits for a key, then asks the BIOS for the next boot device.
fail:
    call print
    mov si, msg_key
    call print
    xor ax, ax
    int 0x16
    int 0x18
.halt:
    hlt
    jmp .halt

print:
    lodsb
    test al, al
    jz .done
    mov ah, 0x0E
    mov bx, 7
    int 0x10
    jmp print
.done:
    ret

msg_no_active       db "No active partition", 0
msg_no_lba          db "BIOS lacks LBA disk access", 0
msg_read            db "Disk read error", 0
msg_no_boot_sector  db "No boot sector", 0
msg_key             db 13, 10, "Press a key.", 13, 10, 0

drive db 0

times 440 - ($ - $$) db 0
