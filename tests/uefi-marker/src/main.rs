//! Boot marker for the image tests: prints `OQS-STICK-BOOT-OK` and shuts the machine
//! down, so a QEMU run ends by itself once the firmware has booted our image.
//!
//! Written against the UEFI specification directly (no crates): the few table layouts
//! it needs are below, and the test needs nothing to download.

#![no_std]
#![no_main]

use core::ffi::c_void;

type Status = usize;

#[repr(C)]
struct TableHeader {
    signature: u64,
    revision: u32,
    header_size: u32,
    crc32: u32,
    reserved: u32,
}

/// EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL, up to the one function we call.
#[repr(C)]
struct TextOutput {
    reset: extern "efiapi" fn(*mut TextOutput, bool) -> Status,
    output_string: extern "efiapi" fn(*mut TextOutput, *const u16) -> Status,
}

/// EFI_RUNTIME_SERVICES, up to ResetSystem.
#[repr(C)]
struct RuntimeServices {
    hdr: TableHeader,
    get_time: usize,
    set_time: usize,
    get_wakeup_time: usize,
    set_wakeup_time: usize,
    set_virtual_address_map: usize,
    convert_pointer: usize,
    get_variable: usize,
    get_next_variable_name: usize,
    set_variable: usize,
    get_next_high_monotonic_count: usize,
    reset_system: extern "efiapi" fn(u32, Status, usize, *const c_void) -> !,
}

/// EFI_SYSTEM_TABLE, up to the runtime services.
#[repr(C)]
struct SystemTable {
    hdr: TableHeader,
    firmware_vendor: *const u16,
    firmware_revision: u32,
    console_in_handle: *mut c_void,
    con_in: *mut c_void,
    console_out_handle: *mut c_void,
    con_out: *mut TextOutput,
    standard_error_handle: *mut c_void,
    std_err: *mut c_void,
    runtime_services: *mut RuntimeServices,
}

const RESET_SHUTDOWN: u32 = 2;

/// The marker as the NUL-terminated UTF-16 string UEFI wants.
const MARKER: [u16; 22] = utf16("\r\nOQS-STICK-BOOT-OK\r\n");

const fn utf16<const N: usize>(text: &str) -> [u16; N] {
    let bytes = text.as_bytes();
    let mut out = [0u16; N];
    let mut i = 0;
    while i < bytes.len() {
        out[i] = bytes[i] as u16;
        i += 1;
    }
    out
}

#[unsafe(no_mangle)]
extern "efiapi" fn efi_main(_image: *mut c_void, system_table: *const SystemTable) -> Status {
    // SAFETY: the firmware passes a valid system table whose console and runtime service
    // pointers stay valid while boot services run, which is all of this program.
    unsafe {
        let st = &*system_table;
        ((*st.con_out).output_string)(st.con_out, MARKER.as_ptr());
        ((*st.runtime_services).reset_system)(RESET_SHUTDOWN, 0, 0, core::ptr::null())
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}
