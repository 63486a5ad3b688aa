//! The answer file, pass by pass. Settings within a component are written in the
//! alphabetical order Windows SIM uses.

use crate::commands;
use crate::components::{
    COMMAND_LISTS, DEPLOYMENT, INTERNATIONAL_CORE, INTERNATIONAL_CORE_WINPE, OOBE_SYSTEM, SETUP,
    SHELL_SETUP, SPECIALIZE, UNATTEND_NS, WCM_NS, WINDOWS_PE,
};
use crate::error::RenderError;
use crate::escape;
use crate::password;
use crate::writer::XmlWriter;
use payload::{Secret, Site};

/// Japanese with the Microsoft IME: keyboard layout 0411 plus the IME's profile GUIDs.
const JA_JP_INPUT_LOCALE: &str =
    "0411:{03B5835F-F03C-411B-9CE2-AA23E1171E36}{A76C93D9-5523-4E90-AAFA-4DB112F9AC76}";

/// Everything the document needs, checked.
pub(crate) struct Inputs<'a> {
    pub language: &'a str,
    pub time_zone: &'a str,
    pub organization: &'a str,
    pub product_key: Option<&'a str>,
    pub image_index: u32,
    pub admin: &'a str,
    pub password: &'a Secret,
    /// `Some` when the answer file fixes the computer name (`--terminal`).
    pub computer_name: Option<&'a str>,
    pub bypass_win11_checks: bool,
}

impl<'a> Inputs<'a> {
    pub fn from_site(
        site: &'a Site,
        image_index: u32,
        password: &'a Secret,
        terminal: Option<&str>,
    ) -> Result<Inputs<'a>, RenderError> {
        if image_index == 0 {
            return Err(RenderError::ImageIndex { index: image_index });
        }
        if password.expose().is_empty() {
            return Err(RenderError::EmptyPassword);
        }
        let computer_name =
            match terminal {
                None => None,
                Some(name) => Some(site.terminal(name).map(|t| t.name.as_str()).ok_or_else(
                    || RenderError::UnknownTerminal {
                        name: name.to_owned(),
                        known: site.terminals.iter().map(|t| t.name.clone()).collect(),
                    },
                )?),
            };
        let w = &site.windows;
        let language = checked(
            "windows.language",
            &w.language,
            |c| c.is_ascii_alphanumeric() || c == '-',
            "a language tag such as ja-JP",
        )?;
        let time_zone = checked(
            "windows.time_zone",
            &w.time_zone,
            |c| c.is_ascii_alphanumeric() || " .+-()".contains(c),
            "an English Windows time zone id such as Tokyo Standard Time",
        )?;
        let inputs = Inputs {
            language,
            time_zone,
            organization: no_controls("clinic.name", &site.clinic.name)?,
            product_key: w.product_key.as_deref(),
            image_index,
            admin: no_controls("accounts.setup_admin.name", &site.accounts.setup_admin.name)?,
            password,
            computer_name,
            bypass_win11_checks: site.options.bypass_win11_checks,
        };
        Ok(inputs)
    }

    fn input_locale(&self) -> &str {
        if self.language.eq_ignore_ascii_case("ja-JP") {
            JA_JP_INPUT_LOCALE
        } else {
            self.language
        }
    }
}

fn checked<'a>(
    key: &'static str,
    value: &'a str,
    allowed_char: impl Fn(char) -> bool,
    allowed: &'static str,
) -> Result<&'a str, RenderError> {
    if value.is_empty() || value.len() > 64 || !value.chars().all(allowed_char) {
        return Err(RenderError::Unsupported {
            key,
            value: value.to_owned(),
            allowed,
        });
    }
    Ok(value)
}

fn no_controls<'a>(key: &'static str, value: &'a str) -> Result<&'a str, RenderError> {
    // Tab and line breaks are valid XML but never valid in a name Windows shows.
    let bad = escape::unwritable(value).or_else(|| value.chars().find(|c| c.is_control()));
    match bad {
        Some(bad) => Err(RenderError::ControlCharacter { key, bad }),
        None => Ok(value),
    }
}

pub(crate) fn write(inputs: &Inputs<'_>) -> Result<String, RenderError> {
    let mut xml = XmlWriter::new();
    xml.open("unattend", &[("xmlns", UNATTEND_NS), ("xmlns:wcm", WCM_NS)]);
    windows_pe(&mut xml, inputs)?;
    specialize(&mut xml, inputs)?;
    oobe_system(&mut xml, inputs)?;
    xml.close("unattend");
    Ok(xml.finish())
}

fn windows_pe(xml: &mut XmlWriter, inputs: &Inputs<'_>) -> Result<(), RenderError> {
    xml.open("settings", &[("pass", WINDOWS_PE)]);

    xml.open_component(&INTERNATIONAL_CORE_WINPE);
    xml.open("SetupUILanguage", &[]);
    xml.leaf("UILanguage", inputs.language);
    xml.close("SetupUILanguage");
    xml.leaf("InputLocale", inputs.input_locale());
    xml.leaf("SystemLocale", inputs.language);
    xml.leaf("UILanguage", inputs.language);
    xml.leaf("UserLocale", inputs.language);
    xml.close("component");

    xml.open_component(&SETUP);
    xml.open("ImageInstall", &[]);
    xml.open("OSImage", &[]);
    xml.open("InstallFrom", &[]);
    xml.open_item("MetaData");
    xml.leaf("Key", "/IMAGE/INDEX");
    xml.leaf("Value", &inputs.image_index.to_string());
    xml.close("MetaData");
    xml.close("InstallFrom");
    // No DiskConfiguration and no DiskID anywhere: disk numbers depend on the port the
    // stick is in. select-disk.cmd (run below, before Setup looks at disks) prepares
    // exactly one checked disk and takes every other one offline, so the first
    // available partition is the Windows partition it made.
    xml.leaf("InstallToAvailablePartition", "true");
    xml.leaf("WillShowUI", "OnError");
    xml.close("OSImage");
    xml.close("ImageInstall");
    let mut pe_commands: Vec<(String, &str)> = Vec::new();
    if inputs.bypass_win11_checks {
        for command in commands::labconfig() {
            pe_commands.push((
                command,
                "Skip Windows 11 hardware checks (site.options.bypass_win11_checks)",
            ));
        }
    }
    pe_commands.push((
        commands::select_disk(),
        "Choose and partition the one internal install disk, or stop",
    ));
    pe_commands.push((
        commands::halt_unless_disk_ready(),
        "Stop Setup unless the install disk was prepared",
    ));
    command_list(xml, "RunSynchronous", pe_commands)?;
    xml.open("UserData", &[]);
    xml.leaf("AcceptEula", "true");
    if let Some(key) = inputs.product_key {
        xml.open("ProductKey", &[]);
        xml.leaf("Key", key);
        xml.leaf("WillShowUI", "OnError");
        xml.close("ProductKey");
    }
    xml.close("UserData");
    xml.close("component");

    xml.close("settings");
    Ok(())
}

fn specialize(xml: &mut XmlWriter, inputs: &Inputs<'_>) -> Result<(), RenderError> {
    xml.open("settings", &[("pass", SPECIALIZE)]);
    if inputs.computer_name.is_none() {
        xml.open_component(&DEPLOYMENT);
        let identify = (
            commands::identify(),
            "Name the computer after the terminal whose hardware matches",
        );
        command_list(xml, "RunSynchronous", vec![identify])?;
        xml.close("component");
    }
    xml.open_component(&SHELL_SETUP);
    if let Some(name) = inputs.computer_name {
        xml.leaf("ComputerName", name);
    }
    xml.leaf("RegisteredOrganization", inputs.organization);
    xml.leaf("TimeZone", inputs.time_zone);
    xml.close("component");
    xml.close("settings");
    Ok(())
}

fn oobe_system(xml: &mut XmlWriter, inputs: &Inputs<'_>) -> Result<(), RenderError> {
    xml.open("settings", &[("pass", OOBE_SYSTEM)]);

    xml.open_component(&INTERNATIONAL_CORE);
    xml.leaf("InputLocale", inputs.input_locale());
    xml.leaf("SystemLocale", inputs.language);
    xml.leaf("UILanguage", inputs.language);
    xml.leaf("UserLocale", inputs.language);
    xml.close("component");

    xml.open_component(&SHELL_SETUP);
    // Logs the set-up administrator on so FirstLogonCommands run, and again after a
    // restart in the middle of firstboot (an installer's, Windows Update's): firstboot
    // then resumes from RunOnce. Its `autologon` step ends these logons when done.
    xml.open("AutoLogon", &[]);
    xml.leaf("Enabled", "true");
    xml.leaf("LogonCount", "5");
    password_element(xml, "Password", inputs.password);
    xml.leaf("Username", inputs.admin);
    xml.close("AutoLogon");
    let apply = (
        commands::first_logon(),
        "oqs-firstboot apply from the stick",
    );
    command_list(xml, "FirstLogonCommands", vec![apply])?;
    xml.open("OOBE", &[]);
    xml.leaf("HideEULAPage", "true");
    xml.leaf("HideLocalAccountScreen", "true");
    xml.leaf("HideOEMRegistrationScreen", "true");
    xml.leaf("HideOnlineAccountScreens", "true");
    xml.leaf("HideWirelessSetupInOOBE", "true");
    xml.leaf("ProtectYourPC", "3");
    xml.close("OOBE");
    // Only the set-up administrator: OqsComApp and ONSRenkei get their real passwords
    // from the encrypted vault through firstboot, never through this readable file.
    xml.open("UserAccounts", &[]);
    xml.open("LocalAccounts", &[]);
    xml.open_item("LocalAccount");
    xml.leaf(
        "Description",
        "oqs-stick set-up administrator (one-time password; disabled by oqs-firstboot)",
    );
    xml.leaf("DisplayName", inputs.admin);
    xml.leaf("Group", "Administrators");
    xml.leaf("Name", inputs.admin);
    password_element(xml, "Password", inputs.password);
    xml.close("LocalAccount");
    xml.close("LocalAccounts");
    xml.close("UserAccounts");
    xml.close("component");

    xml.close("settings");
    Ok(())
}

fn password_element(xml: &mut XmlWriter, element: &str, password: &Secret) {
    xml.open(element, &[]);
    xml.leaf("Value", &password::encode(password, element));
    xml.leaf("PlainText", "false");
    xml.close(element);
}

/// A command list with `Order` 1, 2, 3... in the order given; fields alphabetical.
fn command_list(
    xml: &mut XmlWriter,
    list: &str,
    commands: Vec<(String, &str)>,
) -> Result<(), RenderError> {
    let (_, item, command_element) = COMMAND_LISTS
        .into_iter()
        .find(|(name, ..)| *name == list)
        .expect("command lists are named from COMMAND_LISTS");
    xml.open(list, &[]);
    for (order, (command, description)) in (1..).zip(commands) {
        let mut fields = vec![
            (command_element, commands::checked(command)?),
            ("Description", description.to_owned()),
            ("Order", order.to_string()),
        ];
        if item == "SynchronousCommand" {
            // firstboot may ask for the vault passphrase or which terminal this is.
            fields.push(("RequiresUserInput", "true".to_owned()));
        }
        fields.sort_by_key(|(name, _)| *name);
        xml.open_item(item);
        for (name, value) in fields {
            xml.leaf(name, &value);
        }
        xml.close(item);
    }
    xml.close(list);
    Ok(())
}
