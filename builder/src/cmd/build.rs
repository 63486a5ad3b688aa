//! `oqs-builder build`: checks everything, then writes the stick (image or folder).

use crate::cli::{BuildArgs, Global};
use crate::media;
use crate::out_dir;
use crate::out_image::{self, ImageSettings};
use crate::progress::Bar;
use crate::report;
use crate::stick::StickPlan;
use crate::{firstboot_exe, install_image, secrets_input};
use payload::Text;
use payload::layout;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

#[derive(serde::Serialize)]
struct BuildReport<'a> {
    ok: bool,
    out: &'a Path,
    kind: &'static str,
    files: usize,
    bytes: u64,
    seconds: f64,
    image_index: u32,
    image_name: &'a str,
    install_wim_parts: &'a [u64],
    manifest_sha256_of_sums: String,
}

pub fn run(args: &BuildArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let checked = crate::checks::run(&args.site, args.secrets.as_deref())?;
    let (loaded, inputs) = (&checked.loaded, &checked.inputs);
    let errors = report::problems(&loaded.file, &checked.problems);
    if errors > 0 {
        eprintln!(
            "{}",
            Text::new(
                format!("{errors} 件の誤りがあるため、スティックは作成しませんでした"),
                format!("{errors} error(s): the stick was not written"),
            )
        );
        return Ok(ExitCode::FAILURE);
    }
    let media = media::scan(&args.media)?;
    for warning in &media.warnings {
        eprintln!("{}: {warning}", Text::new("警告", "warning"));
    }
    let firstboot = firstboot_exe::locate(args.firstboot.as_deref())?;
    let vault = seal_vault(loaded, args)?;

    let mut plan = StickPlan::default();
    let install = media.install_image().map(|f| f.stick_path.clone());
    for file in media
        .files
        .iter()
        .filter(|f| Some(&f.stick_path) != install.as_ref())
    {
        plan.add_file(file.stick_path.clone(), &file.source)?;
    }
    let image = install_image::add(&media, &loaded.site, args.split_wim, &mut plan)?;
    let answer = crate::answer::render(&loaded.site, image.index, args.terminal.as_deref())?;
    plan.add_bytes(layout::ANSWER_FILE, answer.xml.into_bytes())?;
    for (path, text) in answer.winpe {
        plan.add_bytes(path, text.into_bytes())?;
    }
    plan.add_bytes(layout::SITE_PLAN, loaded.source().as_bytes().to_vec())?;
    plan.add_file(layout::FIRSTBOOT_EXE, &firstboot)?;
    plan.add_bytes(layout::VAULT, vault.vault)?;
    if let Some(key) = vault.key_file {
        plan.add_bytes(layout::VAULT_KEY, key.expose().as_bytes().to_vec())?;
    }
    for input in inputs {
        plan.add_file(input.stick_path.clone(), &input.source)?;
    }

    let files = plan.files().len();
    let bytes = plan.content_bytes();
    let bar = Bar::new(bytes, global.json);
    let started = Instant::now();
    let to_folder = args.out.is_dir();
    let manifest = if to_folder {
        out_dir::prepare(&args.out, args.force)?;
        out_dir::write(plan, &args.out, &bar)?
    } else {
        let settings = ImageSettings {
            gpt: args.gpt,
            size: args.size_mib.map(|m| m * 1024 * 1024),
            seed: seed_of(&loaded.site),
            timestamp: std::env::var("SOURCE_DATE_EPOCH")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        };
        out_image::write(plan, &args.out, &settings, &bar)?
    };
    bar.finish();
    let seconds = started.elapsed().as_secs_f64();
    let (sums_hash, _) =
        payload::manifest::copy_hashing(&mut manifest.to_sums().as_bytes(), &mut std::io::sink())?;
    if global.json {
        report::json(&BuildReport {
            ok: true,
            out: &args.out,
            kind: if to_folder { "folder" } else { "image" },
            files,
            bytes,
            seconds,
            image_index: image.index,
            image_name: &image.name,
            install_wim_parts: &image.split_parts,
            manifest_sha256_of_sums: sums_hash,
        });
    } else {
        let mb = bytes as f64 / 1e6;
        println!(
            "{}",
            Text::new(
                format!(
                    "作成しました: {} ({files} ファイル, {mb:.1} MB, {seconds:.1} 秒, {:.0} MB/s)\nインストールするイメージ: {} (index {})\n確認: oqs-builder verify {}",
                    args.out.display(),
                    mb / seconds.max(1e-9),
                    image.name,
                    image.index,
                    args.out.display()
                ),
                format!(
                    "written: {} ({files} files, {mb:.1} MB in {seconds:.1} s, {:.0} MB/s)\nimage to install: {} (index {})\ncheck it: oqs-builder verify {}",
                    args.out.display(),
                    mb / seconds.max(1e-9),
                    image.name,
                    image.index,
                    args.out.display()
                ),
            )
        );
        if !image.split_parts.is_empty() {
            println!(
                "{}",
                Text::new(
                    format!(
                        "install.wim を {} 個の install*.swm に分割しました",
                        image.split_parts.len()
                    ),
                    format!(
                        "install.wim was split into {} install*.swm parts",
                        image.split_parts.len()
                    ),
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The site's secrets, encrypted as its `[secrets] unlock` says.
fn seal_vault(
    loaded: &payload::site::Loaded,
    args: &BuildArgs,
) -> anyhow::Result<secrets_input::SealedVault> {
    let as_error = |e: secrets_input::SecretsInputError| anyhow::anyhow!("{}", e.text());
    let secrets = secrets_input::for_build(loaded, args.secrets.as_deref()).map_err(as_error)?;
    let sealed = secrets_input::seal_vault(&loaded.site, &secrets, || {
        let mut terminal = secrets_input::Terminal::if_interactive();
        secrets_input::vault_passphrase(
            args.vault_passphrase_file.as_deref(),
            &secrets_input::process_env,
            terminal.as_mut().map(|t| t as &mut dyn secrets_input::Ask),
        )
    })
    .map_err(as_error)?;
    if sealed.key_file.is_some() {
        eprintln!("{}", secrets_input::zero_touch_warning());
    }
    Ok(sealed)
}

/// The same site gives the same disk ids, so rebuilding a stick is reproducible.
fn seed_of(site: &payload::Site) -> u64 {
    let code = &site.clinic.medical_institution_code;
    code.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
