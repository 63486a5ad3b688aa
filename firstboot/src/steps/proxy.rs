//! The proxy: in OqsComApp's own Internet Settings (its HKCU, hive loaded when it
//! is not logged on), then the same for WinHTTP (`netsh winhttp import proxy source=ie`).

use super::registry::{Settings, Wanted};
use crate::host::{Host, RegKey, RegValue, WinHttpProxy};
use crate::step::{Changes, State, Step};
use payload::Text;
use payload::site::Proxy;

const INTERNET_SETTINGS: &str = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings";

/// ProxyEnable / ProxyServer / ProxyOverride for `user`.
pub fn user_proxy(user: &str, proxy: &Proxy) -> Settings {
    let key = RegKey::user(user, INTERNET_SETTINGS);
    let mut wanted = vec![Wanted::set(
        &key,
        "ProxyEnable",
        RegValue::Dword(u32::from(proxy.enabled)),
    )];
    if proxy.enabled {
        wanted.push(Wanted::set(
            &key,
            "ProxyServer",
            RegValue::Sz(proxy.server.clone()),
        ));
        wanted.push(Wanted::set(
            &key,
            "ProxyOverride",
            RegValue::Sz(proxy.bypass.join(";")),
        ));
    }
    Settings {
        id: "proxy.user".into(),
        title: Text::new(
            format!("プロキシ設定 ({user} のインターネット設定)"),
            format!("Proxy ({user}'s Internet Settings)"),
        ),
        wanted,
        needs_reboot: false,
        restart_service: None,
    }
}

pub struct WinHttp {
    pub proxy: Option<WinHttpProxy>,
}

impl WinHttp {
    pub fn from_site(proxy: &Proxy) -> WinHttp {
        WinHttp {
            proxy: proxy.enabled.then(|| WinHttpProxy {
                server: proxy.server.clone(),
                bypass: proxy.bypass.join(";"),
            }),
        }
    }
}

fn shown(proxy: Option<&WinHttpProxy>) -> Option<String> {
    proxy.map(|p| format!("{} (bypass {})", p.server, p.bypass))
}

impl Step for WinHttp {
    fn id(&self) -> String {
        "proxy.winhttp".into()
    }

    fn title(&self) -> Text {
        Text::new("プロキシ設定 (WinHTTP)", "Proxy (WinHTTP)")
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        let now = host.winhttp_proxy()?;
        let mut changes = Changes::default();
        changes.compare(
            "WinHTTP proxy",
            Some(shown(now.as_ref()).unwrap_or_else(|| "direct".into())),
            Some(shown(self.proxy.as_ref()).unwrap_or_else(|| "direct".into())),
        );
        Ok(changes.into_state())
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        host.set_winhttp_proxy(self.proxy.as_ref())?;
        Ok(())
    }
}
