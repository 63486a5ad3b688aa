//! Which terminal of the site this machine is: by hardware id (SMBIOS UUID,
//! serial, MAC), else by its computer name.

use crate::host::{HardwareIds, Host};
use payload::Text;
use payload::site::{Site, Terminal, normalize_mac};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    Hardware { terminal: String, by: String },
    ComputerName { terminal: String },
    None,
}

fn hardware_match(ids: &HardwareIds, terminal: &Terminal) -> Option<String> {
    let hw = &terminal.hardware;
    let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        _ => false,
    };
    if same(&hw.smbios_uuid, &ids.smbios_uuid) {
        return Some(format!(
            "SMBIOS UUID {}",
            ids.smbios_uuid.as_deref().unwrap_or_default()
        ));
    }
    if same(&hw.serial, &ids.serial) {
        return Some(format!(
            "serial {}",
            ids.serial.as_deref().unwrap_or_default()
        ));
    }
    let macs: Vec<String> = ids.macs.iter().filter_map(|m| normalize_mac(m)).collect();
    hw.mac
        .iter()
        .filter_map(|m| normalize_mac(m))
        .find(|m| macs.contains(m))
        .map(|m| format!("MAC {m}"))
}

/// Matches by hardware first; two terminals matching the same machine is an error.
pub fn identify(host: &dyn Host, site: &Site) -> anyhow::Result<Match> {
    let ids = host.hardware()?;
    let hits: Vec<(String, String)> = site
        .terminals
        .iter()
        .filter_map(|t| hardware_match(&ids, t).map(|by| (t.name.clone(), by)))
        .collect();
    match hits.as_slice() {
        [(terminal, by)] => {
            return Ok(Match::Hardware {
                terminal: terminal.clone(),
                by: by.clone(),
            });
        }
        [] => {}
        many => {
            let names: Vec<&str> = many.iter().map(|(t, _)| t.as_str()).collect();
            anyhow::bail!(
                "{}",
                Text::new(
                    format!(
                        "この PC は複数の端末の hardware に一致します: {}。site.toml を直してください",
                        names.join(", ")
                    ),
                    format!(
                        "this machine matches the hardware of several terminals: {}; fix site.toml",
                        names.join(", ")
                    ),
                )
            );
        }
    }
    let name = host.computer_name()?;
    Ok(match site.terminal(&name) {
        Some(t) => Match::ComputerName {
            terminal: t.name.clone(),
        },
        None => Match::None,
    })
}

/// The terminal to configure: `--terminal`, else identified; a clear error otherwise.
pub fn resolve<'s>(
    host: &dyn Host,
    site: &'s Site,
    forced: Option<&str>,
) -> anyhow::Result<&'s Terminal> {
    let names = || terminal_names(site);
    let name = match forced {
        Some(name) => name.to_owned(),
        None => match identify(host, site)? {
            Match::Hardware { terminal, .. } | Match::ComputerName { terminal } => terminal,
            Match::None => anyhow::bail!(
                "{}",
                Text::new(
                    format!(
                        "この PC がどの端末か分かりません (hardware もコンピューター名も一致しません)。--terminal で指定してください: {}",
                        names()
                    ),
                    format!(
                        "cannot tell which terminal this is (no hardware id or computer name matches); give --terminal, one of: {}",
                        names()
                    ),
                )
            ),
        },
    };
    named(site, &name)
}

/// The site's terminal called `name`, or an error listing the terminals there are.
pub fn named<'s>(site: &'s Site, name: &str) -> anyhow::Result<&'s Terminal> {
    let names = || terminal_names(site);
    site.terminal(name).ok_or_else(|| {
        anyhow::anyhow!(
            "{}",
            Text::new(
                format!("端末 \"{name}\" は site.toml にありません: {}", names()),
                format!(
                    "terminal \"{name}\" is not in site.toml; the terminals are: {}",
                    names()
                ),
            )
        )
    })
}

fn terminal_names(site: &Site) -> String {
    site.terminals
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
