//! IPv6 DNS servers on the NIC on the OQS line. The NIC is picked by MAC or
//! hardware description (never by its localized name, 「イーサネット」), and the
//! servers go in its Tcpip6 interface key, as the adapter's static setting.

use super::registry::{self, Wanted};
use crate::host::{Adapter, Capability, Host, RegKey, RegValue};
use crate::step::{State, Step};
use payload::Text;
use payload::site::{NicSelector, normalize_mac};
use std::net::Ipv6Addr;

pub struct Ipv6Dns {
    pub nic: NicSelector,
    pub servers: Vec<Ipv6Addr>,
}

impl Ipv6Dns {
    /// The one adapter the site means, or why there is none.
    fn adapter(&self, host: &dyn Host) -> anyhow::Result<Result<Adapter, Text>> {
        let adapters = host.adapters()?;
        let by_mac = self.nic.mac.as_deref().and_then(normalize_mac);
        let description = self.nic.description.as_deref().map(str::to_lowercase);
        let found: Vec<&Adapter> = adapters
            .iter()
            .filter(|a| match (&by_mac, &description) {
                (Some(mac), _) => normalize_mac(&a.mac).as_ref() == Some(mac),
                (None, Some(d)) => a.description.to_lowercase().contains(d),
                // No selector: only an unambiguous single adapter will do.
                (None, None) => adapters.len() == 1,
            })
            .collect();
        let seen: Vec<String> = adapters
            .iter()
            .map(|a| format!("{} [{}]", a.description, a.mac))
            .collect();
        Ok(match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Text::new(
                format!(
                    "site.toml の network.dns.nic に合うネットワークアダプターがありません (この端末: {})",
                    seen.join(", ")
                ),
                format!(
                    "no network adapter matches site.toml network.dns.nic (this terminal has: {})",
                    seen.join(", ")
                ),
            )),
            _ => Err(Text::new(
                format!(
                    "network.dns.nic に合うアダプターが複数あります。mac で指定してください ({})",
                    seen.join(", ")
                ),
                format!(
                    "several adapters match network.dns.nic; name the one by mac ({})",
                    seen.join(", ")
                ),
            )),
        })
    }

    fn wanted(&self, adapter: &Adapter) -> Vec<Wanted> {
        let key = RegKey::hklm(&format!(
            r"SYSTEM\CurrentControlSet\Services\Tcpip6\Parameters\Interfaces\{}",
            adapter.guid
        ));
        let list: Vec<String> = self.servers.iter().map(Ipv6Addr::to_string).collect();
        vec![Wanted::set(
            &key,
            "NameServer",
            RegValue::Sz(list.join(",")),
        )]
    }
}

impl Step for Ipv6Dns {
    fn id(&self) -> String {
        "dns.ipv6".into()
    }

    fn title(&self) -> Text {
        Text::new("IPv6 DNS サーバー", "IPv6 DNS servers")
    }

    fn requires(&self) -> Vec<Capability> {
        vec![Capability::Network]
    }

    fn needs_reboot(&self) -> bool {
        true
    }

    fn check(&self, host: &dyn Host) -> anyhow::Result<State> {
        match self.adapter(host)? {
            Ok(adapter) => Ok(registry::check(host, &self.wanted(&adapter))?.into_state()),
            Err(why) => Ok(State::Unknown(why)),
        }
    }

    fn apply(&self, host: &mut dyn Host) -> anyhow::Result<()> {
        let adapter = self
            .adapter(host)?
            .map_err(|why| anyhow::anyhow!("{why}"))?;
        registry::apply(host, &self.wanted(&adapter))
    }
}
