//! Command lines for Windows: `CreateProcessW` takes one string that the started
//! program splits itself, nearly always by the MSVCRT rules (`CommandLineToArgvW`).
//! MSI packages take a property string instead (`MsiInstallProduct`).

use std::borrow::Cow;

/// One argument quoted so that MSVCRT's parser gives it back unchanged: inside
/// quotes, backslashes are literal except before a `"`, where they are doubled and
/// the quote escaped as `\"`; backslashes before the closing quote are doubled.
pub fn quote_arg(arg: &str) -> Cow<'_, str> {
    if !arg.is_empty() && !arg.contains([' ', '\t', '\n', '\x0b', '"']) {
        return Cow::Borrowed(arg);
    }
    let mut out = String::with_capacity(arg.len() + 2);
    out.push('"');
    let mut backslashes = 0;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.extend(std::iter::repeat_n('\\', backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            _ => {
                out.extend(std::iter::repeat_n('\\', backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.extend(std::iter::repeat_n('\\', backslashes * 2));
    out.push('"');
    Cow::Owned(out)
}

/// The `lpCommandLine` for `program` with `args`. The program is always quoted
/// (its own parsing rule knows no escapes; a path cannot hold `"`). An NSIS
/// `/D=<dir>` argument goes last and unquoted: NSIS reads the rest of the line as
/// the folder, spaces included, and takes quotes literally.
pub fn command_line(program: &str, args: &[String]) -> String {
    let mut line = format!("\"{program}\"");
    let (install_dir, others): (Vec<&String>, Vec<&String>) =
        args.iter().partition(|a| a.starts_with("/D="));
    for arg in others {
        line.push(' ');
        line.push_str(&quote_arg(arg));
    }
    if let Some(dir) = install_dir.last() {
        line.push(' ');
        line.push_str(dir);
    }
    line
}

/// A property string for `MsiInstallProduct` from the site's `NAME=value` args.
/// Values with spaces or quotes are quoted, inner quotes doubled (`""`), as Windows
/// Installer reads them. `REBOOT=ReallySuppress` comes first unless the site sets
/// REBOOT: firstboot owns reboots, and learns of a needed one from 3010.
pub fn msi_properties(args: &[String]) -> Result<String, String> {
    let mut props = Vec::with_capacity(args.len() + 1);
    let mut sets_reboot = false;
    for arg in args {
        let Some((name, value)) = arg.split_once('=') else {
            return Err(arg.clone());
        };
        let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !valid_name {
            return Err(arg.clone());
        }
        sets_reboot |= name == "REBOOT";
        if value.is_empty() || value.contains([' ', '\t', '"']) {
            props.push(format!("{name}=\"{}\"", value.replace('"', "\"\"")));
        } else {
            props.push(format!("{name}={value}"));
        }
    }
    if !sets_reboot {
        props.insert(0, "REBOOT=ReallySuppress".to_owned());
    }
    Ok(props.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// MSVCRT's (2008+) split of a command line after the program name, the reader
    /// every EXE installer uses.
    fn split_args(line: &str) -> Vec<String> {
        let mut args = Vec::new();
        let mut chars = line.chars().peekable();
        loop {
            while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
            if chars.peek().is_none() {
                return args;
            }
            let (mut arg, mut quoted) = (String::new(), false);
            while let Some(&c) = chars.peek() {
                if !quoted && (c == ' ' || c == '\t') {
                    break;
                }
                chars.next();
                match c {
                    '\\' => {
                        let mut n = 1;
                        while chars.next_if_eq(&'\\').is_some() {
                            n += 1;
                        }
                        if chars.peek() == Some(&'"') {
                            arg.extend(std::iter::repeat_n('\\', n / 2));
                            if n % 2 == 1 {
                                arg.push('"');
                                chars.next();
                            }
                        } else {
                            arg.extend(std::iter::repeat_n('\\', n));
                        }
                    }
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        arg.push('"');
                        chars.next();
                    }
                    '"' => quoted = !quoted,
                    _ => arg.push(c),
                }
            }
            args.push(arg);
        }
    }

    #[test]
    fn quotes_like_msvcrt_expects() {
        for (arg, want) in [
            ("/S", "/S"),
            ("", "\"\""),
            ("a b", "\"a b\""),
            (r"C:\Program Files\OQS\", r#""C:\Program Files\OQS\\""#),
            (r#"say "hi""#, r#""say \"hi\"""#),
            (r#"a\"b"#, r#""a\\\"b""#),
            (r"\\server\share", r"\\server\share"),
            ("tab\there", "\"tab\there\""),
        ] {
            assert_eq!(quote_arg(arg), want, "{arg:?}");
        }
    }

    #[test]
    fn command_line_quotes_program_and_keeps_nsis_dir_last_and_raw() {
        let args = vec![
            "/D=C:\\Program Files\\OQS".to_owned(),
            "/S".to_owned(),
            "LOG=a b".to_owned(),
        ];
        assert_eq!(
            command_line(r"C:\stage\setup.exe", &args),
            r#""C:\stage\setup.exe" /S "LOG=a b" /D=C:\Program Files\OQS"#
        );
    }

    #[test]
    fn msi_property_string() {
        let args = vec![
            "INSTALLDIR=C:\\Program Files\\OQS".to_owned(),
            "MODE=silent".to_owned(),
            "NOTE=say \"hi\"".to_owned(),
            "EMPTY=".to_owned(),
        ];
        assert_eq!(
            msi_properties(&args).unwrap(),
            r#"REBOOT=ReallySuppress INSTALLDIR="C:\Program Files\OQS" MODE=silent NOTE="say ""hi""" EMPTY="""#
        );
        assert_eq!(
            msi_properties(&["REBOOT=Force".to_owned()]).unwrap(),
            "REBOOT=Force"
        );
        for bad in ["/qn", "=x", "1A=b", "A B=c"] {
            assert_eq!(msi_properties(&[bad.to_owned()]), Err(bad.to_owned()));
        }
    }

    proptest! {
        #[test]
        fn msvcrt_gives_every_argument_back(args in prop::collection::vec("[a-z \\\\\"\t]{0,8}", 0..6)) {
            let line: Vec<String> = args.iter().map(|a| quote_arg(a).into_owned()).collect();
            prop_assert_eq!(split_args(&line.join(" ")), args);
        }
    }
}
