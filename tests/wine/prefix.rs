//! A Wine prefix that can run Rust executables: `wineboot --init`, Windows 10
//! mode, and the `ProcessPrng` stub (oqs-facts: "Tooling facts"). Built once per
//! test process into a temp folder and shared by the tests that need it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

pub struct Prefix {
    dir: tempfile::TempDir,
    /// Wine runs one wineserver per prefix: one command at a time keeps tests independent.
    pub lock: Mutex<()>,
}

static PREFIX: OnceLock<Prefix> = OnceLock::new();

/// The shared prefix, created on first use.
pub fn shared() -> &'static Prefix {
    PREFIX.get_or_init(Prefix::create)
}

impl Prefix {
    fn create() -> Prefix {
        let dir = tempfile::Builder::new()
            .prefix("oqs-wine-")
            .tempdir()
            .expect("temp dir");
        let prefix = Prefix {
            dir,
            lock: Mutex::new(()),
        };
        let started = std::time::Instant::now();
        prefix.run_ok(&["wineboot", "--init"]);
        prefix.run_ok(&["winecfg", "-v", "win10"]);
        let system32 = prefix.dir.path().join("drive_c/windows/system32");
        build_stub(&system32.join("bcryptprimitives.dll"));
        eprintln!(
            "wine prefix ready in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        prefix
    }

    /// `wine <args>` in this prefix (the first argument may be a program or an .exe path).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("wine");
        cmd.args(args)
            .env("WINEPREFIX", self.dir.path())
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().expect("start wine");
        // Let wineserver flush the registry to disk before anyone looks.
        let _ = Command::new("wineserver")
            .arg("-w")
            .env("WINEPREFIX", self.dir.path())
            .status();
        out
    }

    pub fn run_ok(&self, args: &[&str]) -> Output {
        oqs_e2e::tools::succeeded(&format!("wine {args:?}"), self.run(args))
    }

    /// `wine reg query KEY /v NAME`'s output line for the value, if any.
    pub fn reg_value(&self, key: &str, name: &str) -> Option<String> {
        let out = self.run(&["reg", "query", key, "/v", name]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find(|l| {
                l.trim_start()
                    .to_lowercase()
                    .starts_with(&name.to_lowercase())
            })
            .map(|l| l.trim().to_owned())
    }

    /// A Unix path as Wine sees it (drive Z: is `/`).
    pub fn windows_path(path: &Path) -> String {
        format!("Z:{}", path.display()).replace('/', "\\")
    }

    pub fn drive_c(&self) -> PathBuf {
        self.dir.path().join("drive_c")
    }
}

fn build_stub(target: &Path) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("wine/processprng.c");
    let out = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-shared", "-O2", "-o"])
        .arg(target)
        .arg(&source)
        .arg("-ladvapi32")
        .output()
        .expect("run x86_64-w64-mingw32-gcc");
    assert!(
        out.status.success(),
        "building the ProcessPrng stub failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
