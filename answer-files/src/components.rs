//! The components this crate writes, the top-level settings of each and the passes
//! where Windows accepts them (from Microsoft's unattend reference). The renderer names
//! components through these constants and the validator checks against the same table,
//! so a setting cannot land in a pass that rejects it ("one unknown setting fails the
//! whole install").

pub(crate) const WINDOWS_PE: &str = "windowsPE";
pub(crate) const SPECIALIZE: &str = "specialize";
pub(crate) const OOBE_SYSTEM: &str = "oobeSystem";

/// Every configuration pass Windows knows; a `settings` element names one of these.
pub(crate) const PASSES: [&str; 7] = [
    WINDOWS_PE,
    "offlineServicing",
    "generalize",
    SPECIALIZE,
    "auditSystem",
    "auditUser",
    OOBE_SYSTEM,
];

/// The attributes every `component` carries, with the only values this crate accepts.
pub(crate) const COMPONENT_ATTRIBUTES: [(&str, &str); 4] = [
    ("processorArchitecture", "amd64"),
    ("publicKeyToken", "31bf3856ad364e35"),
    ("language", "neutral"),
    ("versionScope", "nonSxS"),
];

pub(crate) struct Component {
    pub name: &'static str,
    /// (setting, passes where it is valid)
    pub settings: &'static [(&'static str, &'static [&'static str])],
}

pub(crate) const INTERNATIONAL_CORE_WINPE: Component = Component {
    name: "Microsoft-Windows-International-Core-WinPE",
    settings: &[
        ("SetupUILanguage", &[WINDOWS_PE]),
        ("InputLocale", &[WINDOWS_PE]),
        ("SystemLocale", &[WINDOWS_PE]),
        ("UILanguage", &[WINDOWS_PE]),
        ("UserLocale", &[WINDOWS_PE]),
    ],
};

pub(crate) const SETUP: Component = Component {
    name: "Microsoft-Windows-Setup",
    settings: &[
        ("ImageInstall", &[WINDOWS_PE]),
        ("RunSynchronous", &[WINDOWS_PE]),
        ("UserData", &[WINDOWS_PE]),
    ],
};

pub(crate) const DEPLOYMENT: Component = Component {
    name: "Microsoft-Windows-Deployment",
    settings: &[("RunSynchronous", &["auditSystem", SPECIALIZE])],
};

pub(crate) const SHELL_SETUP: Component = Component {
    name: "Microsoft-Windows-Shell-Setup",
    settings: &[
        ("AutoLogon", &["auditSystem", SPECIALIZE, OOBE_SYSTEM]),
        ("ComputerName", &["offlineServicing", SPECIALIZE]),
        ("FirstLogonCommands", &[OOBE_SYSTEM]),
        ("OOBE", &[OOBE_SYSTEM]),
        (
            "RegisteredOrganization",
            &[
                "auditUser",
                "generalize",
                "offlineServicing",
                OOBE_SYSTEM,
                SPECIALIZE,
            ],
        ),
        ("TimeZone", &["auditSystem", SPECIALIZE, OOBE_SYSTEM]),
        ("UserAccounts", &["auditSystem", OOBE_SYSTEM]),
    ],
};

pub(crate) const INTERNATIONAL_CORE: Component = Component {
    name: "Microsoft-Windows-International-Core",
    settings: &[
        ("InputLocale", &[SPECIALIZE, OOBE_SYSTEM]),
        ("SystemLocale", &[SPECIALIZE, OOBE_SYSTEM]),
        ("UILanguage", &[SPECIALIZE, OOBE_SYSTEM]),
        ("UserLocale", &[SPECIALIZE, OOBE_SYSTEM]),
    ],
};

pub(crate) const ALL: [&Component; 5] = [
    &INTERNATIONAL_CORE_WINPE,
    &SETUP,
    &DEPLOYMENT,
    &SHELL_SETUP,
    &INTERNATIONAL_CORE,
];

pub(crate) fn find(name: &str) -> Option<&'static Component> {
    ALL.into_iter().find(|c| c.name == name)
}

impl Component {
    /// The passes where at least one of the component's settings is valid.
    pub fn valid_in(&self, pass: &str) -> bool {
        self.settings
            .iter()
            .any(|(_, passes)| passes.contains(&pass))
    }

    pub fn setting_valid_in(&self, setting: &str, pass: &str) -> Option<bool> {
        self.settings
            .iter()
            .find(|(name, _)| *name == setting)
            .map(|(_, passes)| passes.contains(&pass))
    }
}

/// List items Windows merges by `wcm:action`; each needs `wcm:action="add"` here.
pub(crate) const LIST_ITEMS: [&str; 4] = [
    "RunSynchronousCommand",
    "SynchronousCommand",
    "LocalAccount",
    "MetaData",
];

/// Command lists: (list, item, the item's command element).
pub(crate) const COMMAND_LISTS: [(&str, &str, &str); 2] = [
    ("RunSynchronous", "RunSynchronousCommand", "Path"),
    ("FirstLogonCommands", "SynchronousCommand", "CommandLine"),
];

/// Elements holding a password (`Value` + `PlainText`).
pub(crate) const PASSWORD_ELEMENTS: [&str; 3] = [
    "Password",
    "AdministratorPassword",
    "OfflineAdministratorPassword",
];

pub(crate) const UNATTEND_NS: &str = "urn:schemas-microsoft-com:unattend";
pub(crate) const WCM_NS: &str = "http://schemas.microsoft.com/WMIConfig/2002/State";
