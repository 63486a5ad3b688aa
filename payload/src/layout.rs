//! Where everything sits on the stick. Paths are relative to the stick's root and
//! '/'-separated (the manifest's form); `to_windows` gives the `\` form.
//! This module is the only place that names a path on the stick.

/// FAT volume label (at most 11 characters). The answer file finds the stick by it,
/// never by drive letter: the letter differs between Windows PE and the installed system.
pub const VOLUME_LABEL: &str = "OQS-STICK";

/// Windows Setup picks this up from the root of any removable drive.
pub const ANSWER_FILE: &str = "autounattend.xml";

pub const PAYLOAD_DIR: &str = "oqs";
pub const FIRSTBOOT_EXE: &str = "oqs/oqs-firstboot.exe";
/// The site plan (site.toml as built, without secrets).
pub const SITE_PLAN: &str = "oqs/site.toml";
/// The age-encrypted secrets vault.
pub const VAULT: &str = "oqs/secrets.age";
/// Zero-touch only: the vault's key, next to it. Holding the stick means holding the secrets.
pub const VAULT_KEY: &str = "oqs/secrets.key";
/// `sha256sum -c oqs/SHA256SUMS` from the stick's root checks every file.
pub const MANIFEST_SUMS: &str = "oqs/SHA256SUMS";
/// The same manifest with sizes and build facts, for programs.
pub const MANIFEST_JSON: &str = "oqs/manifest.json";

/// Windows media's split install image: Setup looks for `install.swm` plus `install2.swm`...
pub const INSTALL_WIM: &str = "sources/install.wim";
pub const INSTALL_SWM: &str = "sources/install.swm";

/// An installer package, under its own file name.
pub fn installer(file_name: &str) -> String {
    format!("{PAYLOAD_DIR}/installers/{file_name}")
}

/// A terminal's client certificate.
pub fn certificate(terminal: &str) -> String {
    format!("{PAYLOAD_DIR}/certs/{}.pfx", terminal.to_ascii_uppercase())
}

/// A Task Scheduler XML the site adds.
pub fn task_xml(file_name: &str) -> String {
    format!("{PAYLOAD_DIR}/tasks/{file_name}")
}

/// Any other file the site names (e.g. the online claims package).
pub fn extra(file_name: &str) -> String {
    format!("{PAYLOAD_DIR}/extra/{file_name}")
}

/// Files the manifest does not cover: the manifest itself, and what Windows or
/// macOS create on any stick they mount.
pub fn outside_manifest(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or(path);
    path == MANIFEST_SUMS
        || path == MANIFEST_JSON
        || first.eq_ignore_ascii_case("System Volume Information")
        || first.eq_ignore_ascii_case("$RECYCLE.BIN")
        || first == ".Spotlight-V100"
        || first == ".fseventsd"
        || first == ".Trashes"
}

/// `oqs/certs/A.pfx` -> `oqs\certs\A.pfx`.
pub fn to_windows(path: &str) -> String {
    path.replace('/', "\\")
}

/// WinPE: picks the one internal install disk, partitions it, takes the other internal disks
/// offline; refuses and halts when the choice is not clear. Written by `answer_files::winpe_files`.
pub const WINPE_SELECT_DISK: &str = "oqs/winpe/select-disk.cmd";
/// diskpart commands (run after `select disk N`) for a UEFI/GPT terminal: EFI, MSR, Windows, Recovery.
pub const WINPE_LAYOUT_UEFI: &str = "oqs/winpe/layout-uefi.txt";
/// diskpart commands (run after `select disk N`) for a BIOS/MBR terminal: System, Windows, Recovery.
pub const WINPE_LAYOUT_BIOS: &str = "oqs/winpe/layout-bios.txt";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_fits_fat() {
        assert!(VOLUME_LABEL.len() <= 11 && VOLUME_LABEL.is_ascii());
    }

    #[test]
    fn manifest_skips_itself_and_os_folders() {
        assert!(outside_manifest(MANIFEST_SUMS));
        assert!(outside_manifest(
            "System Volume Information/IndexerVolumeGuid"
        ));
        assert!(!outside_manifest(FIRSTBOOT_EXE));
        assert_eq!(to_windows(&certificate("oqs-01")), r"oqs\certs\OQS-01.pfx");
    }
}
