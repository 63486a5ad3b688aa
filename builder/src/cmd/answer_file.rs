//! `oqs-builder answer-file`: print the autounattend.xml a build would write, for review.

use crate::cli::{AnswerFileArgs, Global};
use payload::Text;
use std::process::ExitCode;

pub fn run(args: &AnswerFileArgs, _global: &Global) -> anyhow::Result<ExitCode> {
    let Some(loaded) = crate::checks::site_only(&args.site)? else {
        return Ok(ExitCode::FAILURE);
    };
    let index = match (args.image_index, loaded.site.windows.image_index) {
        (Some(i), _) | (None, Some(i)) => i,
        (None, None) => {
            eprintln!(
                "{}",
                Text::new(
                    "イメージ番号は仮に 1 としています。build はメディアの install.wim から windows.edition の番号を選びます (--image-index で指定可)",
                    "image index shown as 1: build picks windows.edition's index from the media's install.wim (or pass --image-index)",
                )
            );
            1
        }
    };
    let files = crate::answer::render(&loaded.site, index, args.terminal.as_deref())?;
    print!("{}", files.xml);
    Ok(ExitCode::SUCCESS)
}
