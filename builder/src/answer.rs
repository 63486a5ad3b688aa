//! The answer file and its WinPE helpers for this build. The set-up administrator
//! gets a one-time random password: a real password never sits in the answer file,
//! which Windows caches in plain Base64 (firstboot sets the real ones from the vault).

use payload::Secret;

pub struct AnswerFiles {
    pub xml: String,
    /// (stick path, text) of the WinPE disk-selection script and its diskpart layouts.
    pub winpe: Vec<(String, String)>,
}

pub fn render(
    site: &payload::Site,
    image_index: u32,
    terminal: Option<&str>,
) -> anyhow::Result<AnswerFiles> {
    let password = one_time_password()?;
    let xml = answer_files::render(
        site,
        &answer_files::RenderOptions {
            image_index,
            one_time_password: &password,
            terminal,
        },
    )?;
    Ok(AnswerFiles {
        xml,
        winpe: answer_files::winpe_files(site)?,
    })
}

/// 24 characters from upper, lower, digits and symbols (every class present):
/// the field's password policy, and no character that needs escaping anywhere.
fn one_time_password() -> anyhow::Result<Secret> {
    const CLASSES: [&[u8]; 4] = [
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"abcdefghijkmnopqrstuvwxyz",
        b"23456789",
        b"#%+-.:=@_",
    ];
    loop {
        let mut random = [0u8; 24];
        getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
        let all: Vec<u8> = CLASSES.concat();
        // 256 is not a multiple of the alphabet size; dropping the top values keeps it uniform.
        let limit = (256 / all.len() * all.len()) as u8;
        if random.iter().any(|&b| b >= limit) {
            continue;
        }
        let password: String = random
            .iter()
            .map(|&b| all[b as usize % all.len()] as char)
            .collect();
        if CLASSES
            .iter()
            .all(|class| password.bytes().any(|b| class.contains(&b)))
        {
            return Ok(Secret::new(password));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_meet_the_policy_and_differ() {
        let a = one_time_password().unwrap();
        let b = one_time_password().unwrap();
        assert_eq!(a.expose().len(), 24);
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().bytes().any(|c| c.is_ascii_uppercase()));
        assert!(a.expose().bytes().any(|c| c.is_ascii_lowercase()));
        assert!(a.expose().bytes().any(|c| c.is_ascii_digit()));
        assert!(a.expose().bytes().any(|c| !c.is_ascii_alphanumeric()));
    }
}
