//! Renders `autounattend.xml` for a site's OQS terminals, the WinPE scripts it runs,
//! and checks the structure of any answer file.
//!
//! # From power-on to first logon
//!
//! One stick serves every terminal of the site; nothing in it is per machine unless the
//! builder was asked for one terminal (`--terminal`).
//!
//! 1. **windowsPE.** The terminal boots the stick; Windows Setup finds `autounattend.xml`
//!    at its root and takes ja-JP for its own screens. Its first commands (after the
//!    optional Windows 11 LabConfig bypass, when `options.bypass_win11_checks` is set):
//!    find the stick by its volume label (`OQS-STICK`, not a drive letter) and run
//!    `oqs\winpe\select-disk.cmd` (see [`winpe_files`]). The script lists the disks with
//!    diskpart, leaves out the stick, disks without media, USB and IEEE 1394 disks, and
//!    applies `windows.target_disk` (model text, minimum size). When exactly one disk
//!    remains it takes every other disk offline (for this WinPE session only), cleans the
//!    one disk and partitions it for the firmware it finds (UEFI: EFI 300 MB, MSR 16 MB,
//!    Windows, Recovery 1 GB; BIOS: System 100 MB, Windows, Recovery 1 GB). Otherwise it
//!    shows why in Japanese and English and shuts down on a key press: no disk changed.
//!    A second command halts Setup the same way whenever the script did not confirm the
//!    disk (stick not found, script missing), so Setup never goes on to choose for itself.
//!    The answer file has no `DiskConfiguration` and no `DiskID`: Setup installs the image
//!    (chosen by WIM index) with `InstallToAvailablePartition`, and the only available
//!    partition left is the Windows partition the script made.
//! 2. **specialize.** Time zone (`Tokyo Standard Time`) and the clinic as registered
//!    organization. With `--terminal NAME` the computer name is fixed to that terminal's
//!    name (pre-staging one known machine). Without it, `oqs-firstboot.exe identify
//!    --set-computer-name` runs from the stick as SYSTEM: it compares the SMBIOS UUID,
//!    serial number and MAC addresses with the site's terminals and sets the name of the
//!    one that matches, or does nothing.
//! 3. **oobeSystem.** ja-JP input (Microsoft IME), system, UI and user locale; the OOBE
//!    screens are hidden. The only account created here is the set-up administrator
//!    (`accounts.setup_admin`), with a one-time password the builder generates per build.
//!    It logs on automatically up to 5 times (`LogonCount` 5): the first logon runs
//!    firstboot, later ones (after a restart in the middle of it) let firstboot resume
//!    from RunOnce; firstboot's `autologon` step ends them.
//! 4. **First logon.** `oqs-firstboot.exe apply` runs from the stick (found by label
//!    again). If the computer name still matches no terminal, it shows the site's
//!    terminals as a numbered list; the operator picks one once, firstboot renames the
//!    computer and reboots. Then it creates OqsComApp (and ONSRenkei where the site has
//!    the 電子カルテ link) with their real passwords from the encrypted vault, arranges
//!    its own autologon for its reboots, and disables the set-up administrator.
//!
//! # Passwords
//!
//! `PlainText=false` is Base64 of UTF-16LE, not encryption: anyone with the stick can
//! read the one-time password. That is why real passwords never go in this file.

mod commands;
mod components;
mod document;
mod dom;
mod error;
mod escape;
mod password;
mod validate;
mod winpe;
mod writer;

pub use commands::MAX_COMMAND_CHARS;
pub use error::RenderError;
pub use validate::{StructureIssue, validate};
pub use winpe::{DEFAULT_MIN_DISK_GB, winpe_files};

use payload::{Secret, Site};

/// What the builder knows that the site does not say.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions<'a> {
    /// The image in `install.wim`/`install.swm` (1-based), resolved by the builder from
    /// `windows.edition` or taken from `windows.image_index`.
    pub image_index: u32,
    /// The set-up administrator's one-time password for this build.
    pub one_time_password: &'a Secret,
    /// Fix the computer name to this terminal of the site (`--terminal NAME`) instead of
    /// letting firstboot identify the machine.
    pub terminal: Option<&'a str>,
}

/// The `autounattend.xml` text: UTF-8 without BOM, ASCII only, checked by [`validate`].
pub fn render(site: &Site, options: &RenderOptions<'_>) -> Result<String, RenderError> {
    let inputs = document::Inputs::from_site(
        site,
        options.image_index,
        options.one_time_password,
        options.terminal,
    )?;
    let xml = document::write(&inputs)?;
    validate(&xml).map_err(RenderError::Structure)?;
    Ok(xml)
}
