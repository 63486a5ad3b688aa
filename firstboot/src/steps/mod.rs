//! The list of steps for one terminal, built from the site: one list, each step a
//! small type. The order follows the seed's (accounts first: later steps write
//! into OqsComApp's hive and vault).

mod autologon;
mod certificate;
mod credentials;
mod display;
mod dns;
mod edge;
mod file_url;
mod files;
mod install;
mod karte_link;
mod local_copy;
mod ntp;
mod online_claims;
mod power;
mod proxy;
pub mod registry;
mod scrub;
pub mod tasks;
mod users;

pub use autologon::Autologon;
pub use certificate::PfxImport;
pub use credentials::GenericCredential;
pub use dns::Ipv6Dns;
pub use edge::{EdgeExtensions, edge_extensions};
pub use files::{Folders, UrlShortcut};
pub use install::Install;
pub use karte_link::KarteLinkSettings;
pub use local_copy::{CopiedFile, LocalCopy};
pub use online_claims::{OnlineClaims, online_claims};
pub use power::{Hibernate, Timeouts};
pub use proxy::WinHttp;
pub use scrub::Scrub;
pub use tasks::ScheduledTask;
pub use users::LocalAdmin;

use crate::host::{CertLocation, Host, UserFlags};
use crate::paths;
use crate::step::Step;
use crate::stick::Stick;
use anyhow::Context as _;
use payload::secrets::Secrets;
use payload::site::{CertStore, Site, Terminal};
use payload::{Secret, layout};

/// What the steps are built from.
pub struct Inputs<'a> {
    pub site: &'a Site,
    pub terminal: &'a Terminal,
    pub secrets: &'a Secrets,
    pub stick: &'a Stick,
    /// `C:\ProgramData\oqs-stick` on this host (`paths::state_dir`).
    pub state_dir: &'a str,
}

/// The face folder OQSFaceApp writes to; not a site setting (the apps hard-code it).
pub const FACE_DIR: &str = r"C:\OQS\face";

fn required<'s>(value: Option<&'s Secret>, key: &str) -> anyhow::Result<&'s Secret> {
    value.with_context(|| {
        format!("secrets: `{key}` is missing; add it to secrets.toml and rebuild the stick")
    })
}

pub fn build(inputs: &Inputs) -> anyhow::Result<Vec<Box<dyn Step>>> {
    let Inputs {
        site,
        terminal,
        secrets,
        stick,
        state_dir,
    } = inputs;
    let oqs_user = site.accounts.oqs_com_app.name.clone();
    let oqs_password = required(
        secrets.accounts.oqs_com_app.as_ref(),
        "accounts.oqs_com_app",
    )?;
    let mut steps: Vec<Box<dyn Step>> = Vec::new();

    let copied = |target: String, source: &str| -> anyhow::Result<CopiedFile> {
        Ok(CopiedFile {
            target,
            source: stick.path(source),
            sha256: stick.sha256(source)?,
        })
    };
    steps.push(Box::new(LocalCopy {
        files: vec![
            copied(paths::local_exe(state_dir), layout::FIRSTBOOT_EXE)?,
            copied(paths::local_site(state_dir), layout::SITE_PLAN)?,
        ],
    }));

    steps.push(Box::new(LocalAdmin {
        name: oqs_user.clone(),
        password: oqs_password.clone(),
        flags: UserFlags {
            password_never_expires: true,
            cannot_change_password: false,
        },
    }));
    if let Some(ons) = &site.accounts.ons_renkei {
        steps.push(Box::new(LocalAdmin {
            name: ons.name.clone(),
            password: required(secrets.accounts.ons_renkei.as_ref(), "accounts.ons_renkei")?
                .clone(),
            flags: UserFlags {
                password_never_expires: true,
                cannot_change_password: true,
            },
        }));
    }

    for installer in &site.installers {
        let on_stick = layout::installer(&file_name(&installer.file));
        steps.push(Box::new(Install::new(
            installer.clone(),
            stick.path(&on_stick),
            stick.sha256(&on_stick)?,
        )));
    }

    // Both need what the installers put on the terminal.
    if site.options.edge_extensions {
        steps.push(Box::new(edge_extensions()));
    }
    if let Some(package) = &site.options.online_claims_package {
        steps.push(Box::new(online_claims(stick, package)?));
    }

    let pfx_path = layout::certificate(&terminal.name);
    let pfx = stick.read(&pfx_path)?;
    let pfx_password = required(
        secrets.certificate_password(&terminal.name),
        &format!("certificates.{}", terminal.name),
    )?;
    for store in &terminal.cert_stores {
        let store = match store {
            CertStore::CurrentUserMy => CertLocation::UserMy(oqs_user.clone()),
            CertStore::LocalMachineMy => CertLocation::LocalMachineMy,
        };
        steps.push(Box::new(PfxImport {
            store,
            source: layout::to_windows(&pfx_path),
            pfx: pfx.clone(),
            password: pfx_password.clone(),
        }));
    }

    for credential in credentials(site, secrets)? {
        steps.push(Box::new(credential));
    }

    steps.push(Box::new(Ipv6Dns {
        nic: site.network.dns.nic.clone(),
        servers: site.dns_servers(),
    }));
    steps.push(Box::new(proxy::user_proxy(&oqs_user, &site.network.proxy)));
    if site.network.proxy.winhttp {
        steps.push(Box::new(WinHttp::from_site(&site.network.proxy)));
    }
    steps.push(Box::new(Timeouts::from_site(&site.power)));
    steps.push(Box::new(Hibernate {
        enabled: site.power.hibernate,
    }));
    steps.push(Box::new(power::fast_startup(site.power.fast_startup)));
    steps.push(Box::new(ntp::ntp(&site.network.ntp.server)));

    for task in tasks::built_in(&site.tasks) {
        steps.push(Box::new(ScheduledTask {
            xml: tasks::render(&task, &oqs_user),
            name: task.name,
            run_as: oqs_user.clone(),
        }));
    }
    for extra in &site.tasks.extra {
        let path = layout::task_xml(&file_name(&extra.xml));
        let bytes = stick.read(&path)?;
        let xml = String::from_utf8(bytes)
            .with_context(|| format!("{path}: a task XML on the stick must be UTF-8"))?;
        steps.push(Box::new(ScheduledTask {
            name: extra.name.clone(),
            xml,
            run_as: oqs_user.clone(),
        }));
    }

    steps.push(Box::new(display::scale(
        &oqs_user,
        site.display.scale_percent,
    )));
    for shortcut in &site.shortcuts {
        steps.push(Box::new(UrlShortcut {
            name: shortcut.name.clone(),
            url: shortcut.url.clone(),
        }));
    }
    steps.push(Box::new(Folders {
        paths: vec![
            site.karte_link.local_request_dir.clone(),
            site.karte_link.local_response_dir.clone(),
            FACE_DIR.into(),
        ],
    }));
    if site.karte_link.enabled {
        steps.push(Box::new(KarteLinkSettings {
            link: site.karte_link.clone(),
        }));
        let task = tasks::role_check(state_dir, &terminal.name);
        steps.push(Box::new(ScheduledTask {
            xml: tasks::render(&task, &oqs_user),
            name: task.name,
            run_as: oqs_user.clone(),
        }));
    }
    let autologon_user = site
        .accounts
        .oqs_com_app
        .autologon
        .then(|| (oqs_user.clone(), oqs_password.clone()));
    steps.push(Box::new(Autologon {
        user: autologon_user,
    }));
    steps.push(Box::new(Scrub {
        staged_pfx: site
            .terminals
            .iter()
            .map(|t| file_name(&layout::certificate(&t.name)))
            .collect(),
    }));
    Ok(steps)
}

/// The generic credentials OQSComApp reads (oqs-facts: "Accounts and credentials").
fn credentials(site: &Site, secrets: &Secrets) -> anyhow::Result<Vec<GenericCredential>> {
    let owner = site.accounts.oqs_com_app.name.clone();
    let credential = |target: &str, user_name: &str, secret: &Secret| GenericCredential {
        owner: owner.clone(),
        target: target.into(),
        user_name: user_name.into(),
        secret: secret.clone(),
    };
    let c = &secrets.credentials;
    let mut out = vec![
        credential(
            "OQS_MEDICAL_INSTITUTION_CODE",
            "OQS_Admin",
            &Secret::new(site.clinic.medical_institution_code.clone()),
        ),
        credential(
            "OQS_LOGIN_KEY",
            "R0",
            required(c.login_key.as_ref(), "credentials.login_key")?,
        ),
    ];
    if let Some(crypt) = &c.crypt_pass {
        out.push(credential("OQS_CRYPT_PASS", "OQS_Admin", crypt));
    }
    if let (Some(ons), Some(nas)) = (&site.accounts.ons_renkei, &c.nas_login_key) {
        out.push(credential("OQS_NAS_LOGIN_KEY", &ons.name, nas));
    }
    Ok(out)
}

/// Writes `path`, creating its folder first: on Windows a file needs its folder.
fn write_creating_folder(host: &mut dyn Host, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some((folder, _)) = path.rsplit_once('\\') {
        host.create_dir_all(folder)?;
    }
    host.write_file(path, bytes)?;
    Ok(())
}

/// The last part of a `/` or `\` path, as the builder names files on the stick.
fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_owned()
}
