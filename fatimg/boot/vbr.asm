; FAT32 boot sector code of oqs-stick images: loads BOOTMGR like Windows' own does.
;
; The MBR code loads this sector to 0000:7C00 and jumps to it with DL = drive. It reads
; the BPB in front of it, walks the root directory's cluster chain for the 8.3 entry
; BOOTMGR, loads the whole file by its FAT chain to 2000:0000 and jumps there with
; DL = drive, this sector (with its BPB) left at 0000:7C00: the hand-over bootmgr gets
; from Windows' FAT32 boot code (and GRUB's ntldr command).
;
; Only the jump (bytes 0..2) and the code after the BPB (bytes 0x5A..0x1FD) are taken:
; fatimg/src/bpb.rs writes the BPB and the 55AA signature.
;
; Assemble: nasm -f bin -o vbr.bin vbr.asm (a test checks vbr.bin matches this file).

bits 16
cpu 386
org 0x7C00

; BPB fields, relative to BP = 7C00
BPB_SECTORS_PER_CLUSTER equ 0x0D
BPB_RESERVED_SECTORS    equ 0x0E
BPB_FATS                equ 0x10
BPB_HIDDEN_SECTORS      equ 0x1C
BPB_FAT_SECTORS         equ 0x24
BPB_ROOT_CLUSTER        equ 0x2C
BPB_DRIVE               equ 0x40

; Variables, pushed right below the sector at start
FAT_LBA     equ -4              ; first sector of the first FAT
DATA_LBA    equ -8              ; first sector of cluster 2
CACHED_LBA  equ -12             ; which FAT sector FAT_BUFFER holds
MEMORY_END  equ -14             ; end of conventional memory (INT 12h), in paragraphs

FAT_BUFFER  equ 0x7E00          ; one FAT sector
DIR_SEGMENT equ 0x0800          ; one root directory cluster (up to 32 KiB) at 0000:8000
LOAD_SEGMENT equ 0x2000         ; where bootmgr runs

DIR_ENTRY_SIZE  equ 32
ATTR_VOLUME_OR_DIR equ 0x18
END_OF_CHAIN    equ 0x0FFFFFF8

    jmp short start
    nop
    times 0x5A - ($ - $$) db 0  ; the BPB

start:
    xor ax, ax
    mov bp, 0x7C00
    mov ss, ax
    mov sp, bp
    mov ds, ax
    cld
    mov [bp + BPB_DRIVE], dl    ; where bootmgr looks for the drive, as Windows does

    movzx eax, word [bp + BPB_RESERVED_SECTORS]
    add eax, [bp + BPB_HIDDEN_SECTORS]
    push eax                    ; FAT_LBA
    movzx cx, byte [bp + BPB_FATS]
.fats:
    add eax, [bp + BPB_FAT_SECTORS]
    loop .fats
    push eax                    ; DATA_LBA
    push dword 0                ; CACHED_LBA: sector 0 is never a FAT sector
    int 0x12                    ; AX = KiB of conventional memory below the EBDA
    shl ax, 6
    push ax                     ; MEMORY_END

    mov eax, [bp + BPB_ROOT_CLUSTER]
dir_cluster:
    push DIR_SEGMENT
    pop es
    call read_cluster
    xor di, di
    movzx cx, byte [bp + BPB_SECTORS_PER_CLUSTER]
    shl cx, 4                   ; 16 entries a sector
.entry:
    cmp byte [es:di], 0         ; end of the directory
    je no_bootmgr
    pusha
    mov si, bootmgr_name
    mov cx, 11
    repe cmpsb
    popa
    jne .next
    test byte [es:di + 11], ATTR_VOLUME_OR_DIR
    jz found
.next:
    add di, DIR_ENTRY_SIZE
    loop .entry
    call next_cluster
    jb dir_cluster
no_bootmgr:
    mov si, msg_no_bootmgr
    jmp fail

found:
    push word [es:di + 20]      ; first cluster, high word
    push word [es:di + 26]      ; low word
    pop eax
    push LOAD_SEGMENT
    pop es
.cluster:
    mov bx, es
    movzx cx, byte [bp + BPB_SECTORS_PER_CLUSTER]
    shl cx, 5                   ; paragraphs a cluster
    add bx, cx                  ; where the next cluster would go
    cmp bx, [bp + MEMORY_END]
    mov si, msg_too_big
    ja fail
    call read_cluster
    mov es, bx
    call next_cluster
    jb .cluster
    push ds                     ; DS = ES = SS = 0, SP = 7C00, as GRUB's ntldr hands over
    pop es
    mov sp, bp
    mov dl, [bp + BPB_DRIVE]
    jmp LOAD_SEGMENT:0

; Reads cluster EAX to ES:0.
read_cluster:
    pushad
    cmp eax, 2
    mov si, msg_bad_fat
    jb fail
    sub eax, 2
    movzx ecx, byte [bp + BPB_SECTORS_PER_CLUSTER]
    mul ecx
    add eax, [bp + DATA_LBA]
    xor bx, bx
    call read
    popad
    ret

; EAX = the cluster after cluster EAX; CF set while the chain goes on. Clobbers BX, CX, DI.
next_cluster:
    push es
    movzx di, al
    and di, 127                 ; 128 entries a sector
    shl di, 2
    shr eax, 7
    add eax, [bp + FAT_LBA]
    cmp eax, [bp + CACHED_LBA]
    je .cached
    mov [bp + CACHED_LBA], eax
    push ds
    pop es
    mov bx, FAT_BUFFER
    mov cx, 1
    call read
.cached:
    mov eax, [di + FAT_BUFFER]
    and eax, 0x0FFFFFFF
    pop es
    cmp eax, END_OF_CHAIN
    ret

; Reads CX sectors from LBA EAX to ES:BX.
read:
    pushad
    push dword 0                ; disk address packet, built on the stack
    push eax
    push es
    push bx
    push cx
    push byte 16
    mov si, sp
    mov dl, [bp + BPB_DRIVE]
    mov ah, 0x42
    int 0x13
    mov si, msg_read
    jc fail
    add sp, 16
    popad
    ret

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
    xor bx, bx                  ; page 0
    int 0x10
    jmp print
.done:
    ret

bootmgr_name    db "BOOTMGR    "
msg_no_bootmgr  db "No BOOTMGR on this stick", 0
msg_too_big     db "BOOTMGR too big", 0
msg_bad_fat     db "FAT damaged", 0
msg_read        db "Disk read error", 0
msg_key         db 13, 10, "Press a key.", 13, 10, 0

    times 510 - ($ - $$) db 0
    dw 0xAA55
