//! Reading a CRX3 extension package far enough to force-install it: its
//! extension id and its version.
//!
//! Layout (Chromium `components/crx_file/crx3.proto`): `Cr24`, format version 3
//! (u32 LE), header size (u32 LE), a `CrxFileHeader` protobuf, then the zip.
//! The id is `SignedData.crx_id` (inside `signed_header_data`, field 10000), the
//! first 16 bytes of the SHA-256 of the developer's public key, written as 32
//! letters `a`..`p`. We check that one of the header's public keys hashes to
//! it, so a damaged or hand-edited header is caught here and not by Edge later.
//! The signatures themselves are Edge's to verify when it installs the file.

use payload::Text;
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::{Cursor, Read};

/// What Edge's force-install policy and update manifest need to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crx {
    /// 32 letters `a`..`p`, as edge://extensions shows it.
    pub id: String,
    /// `version` from the packaged manifest.json.
    pub version: String,
}

#[derive(Debug, PartialEq, Eq)]
pub struct CrxError {
    /// The file as the message should name it.
    pub file: String,
    pub problem: Problem,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Problem {
    /// No `Cr24` magic: not an extension package at all.
    NotCrx,
    /// `Cr24` with another format version (2 is the old, now refused format).
    FormatVersion(u32),
    /// The file ends before the header or a field does.
    Truncated,
    /// The header is not a well-formed protobuf.
    BadHeader(&'static str),
    /// No public key in the header hashes to the claimed id.
    IdMismatch { claimed: String },
    /// The zip after the header, or its manifest.json, is missing or unreadable.
    Manifest(String),
}

impl CrxError {
    pub fn text(&self) -> Text {
        let file = &self.file;
        let fix_ja =
            "OQSFaceApp を入れ直してください(この .crx はそのインストーラーが置くものです)";
        let fix_en = "reinstall OQSFaceApp (its installer puts this .crx there)";
        let (ja, en) = match &self.problem {
            Problem::NotCrx => (
                format!("{file} は Edge 拡張機能のパッケージ(CRX)ではありません"),
                format!("{file} is not an Edge extension package (CRX)"),
            ),
            Problem::FormatVersion(v) => (
                format!(
                    "{file} は CRX 形式バージョン {v} です。Edge が受け付けるのは CRX3 だけです"
                ),
                format!("{file} is CRX format version {v}; Edge accepts only CRX3"),
            ),
            Problem::Truncated => (
                format!("{file} は途中で切れています"),
                format!("{file} is cut short"),
            ),
            Problem::BadHeader(why) => (
                format!("{file} の CRX3 ヘッダーが壊れています({why})"),
                format!("{file} has a damaged CRX3 header ({why})"),
            ),
            Problem::IdMismatch { claimed } => (
                format!("{file} の拡張機能 ID {claimed} がヘッダーのどの公開鍵とも合いません"),
                format!(
                    "{file} claims extension id {claimed}, which no public key in its header matches"
                ),
            ),
            Problem::Manifest(why) => (
                format!("{file} の manifest.json を読めません({why})"),
                format!("cannot read manifest.json in {file} ({why})"),
            ),
        };
        Text::new(format!("{ja}。{fix_ja}"), format!("{en}; {fix_en}"))
    }
}

impl fmt::Display for CrxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text())
    }
}

impl std::error::Error for CrxError {}

const MAGIC: &[u8; 4] = b"Cr24";
const HEADER_RSA_PROOF: u64 = 2;
const HEADER_ECDSA_PROOF: u64 = 3;
const HEADER_SIGNED_DATA: u64 = 10000;
const PROOF_PUBLIC_KEY: u64 = 1;
const SIGNED_DATA_CRX_ID: u64 = 1;

/// Reads `bytes`, the contents of the CRX3 file `file` (named in errors).
pub fn read(bytes: &[u8], file: &str) -> Result<Crx, CrxError> {
    let fail = |problem| CrxError {
        file: file.to_owned(),
        problem,
    };
    if bytes.len() < 4 || &bytes[..4] != MAGIC {
        return Err(fail(Problem::NotCrx));
    }
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    };
    let version = u32_at(4).ok_or_else(|| fail(Problem::Truncated))?;
    if version != 3 {
        return Err(fail(Problem::FormatVersion(version)));
    }
    let header_len = u32_at(8).ok_or_else(|| fail(Problem::Truncated))? as usize;
    let header = bytes
        .get(12..12 + header_len)
        .ok_or_else(|| fail(Problem::Truncated))?;
    let archive = &bytes[12 + header_len..];

    let mut keys = Vec::new();
    let mut signed_data = None;
    for field in fields(header).map_err(|e| fail(e.into()))? {
        match field {
            (HEADER_RSA_PROOF | HEADER_ECDSA_PROOF, Some(proof)) => {
                for inner in fields(proof).map_err(|e| fail(e.into()))? {
                    if let (PROOF_PUBLIC_KEY, Some(key)) = inner {
                        keys.push(key);
                    }
                }
            }
            (HEADER_SIGNED_DATA, Some(data)) => signed_data = Some(data),
            _ => {}
        }
    }
    let signed_data =
        signed_data.ok_or_else(|| fail(Problem::BadHeader("no signed_header_data")))?;
    let crx_id = fields(signed_data)
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .find_map(|f| match f {
            (SIGNED_DATA_CRX_ID, Some(id)) => Some(id),
            _ => None,
        })
        .ok_or_else(|| fail(Problem::BadHeader("no crx_id")))?;
    if crx_id.len() != 16 {
        return Err(fail(Problem::BadHeader("crx_id is not 16 bytes")));
    }
    let id = letters(crx_id);
    if !keys.iter().any(|k| Sha256::digest(k)[..16] == *crx_id) {
        return Err(fail(Problem::IdMismatch { claimed: id }));
    }
    let version = manifest_version(archive).map_err(|why| fail(Problem::Manifest(why)))?;
    Ok(Crx { id, version })
}

/// Chromium's extension id alphabet: each nibble as `a` + nibble.
pub fn letters(bytes: &[u8]) -> String {
    bytes
        .iter()
        .flat_map(|b| [b >> 4, b & 0x0f])
        .map(|n| char::from(b'a' + n))
        .collect()
}

fn manifest_version(archive: &[u8]) -> Result<String, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(archive)).map_err(|e| e.to_string())?;
    let mut entry = zip
        .by_name("manifest.json")
        .map_err(|_| "no manifest.json in the package".to_owned())?;
    let mut text = String::new();
    entry
        .read_to_string(&mut text)
        .map_err(|e| format!("manifest.json: {e}"))?;
    // Chromium reads manifests with a BOM; serde_json does not.
    let json: serde_json::Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| e.to_string())?;
    let version = json
        .get("version")
        .and_then(|v| v.as_str())
        .ok_or("manifest.json has no \"version\" string")?;
    if !is_extension_version(version) {
        return Err(format!(
            "\"version\": {version:?} is not 1 to 4 dot-separated numbers 0-65535"
        ));
    }
    Ok(version.to_owned())
}

/// The manifest `version` rule: 1-4 dot-separated integers 0..=65535, no
/// leading zeros. Checking it also keeps the update manifest free of markup.
fn is_extension_version(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    (1..=4).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u32>().is_ok_and(|n| n <= 65535)
        })
}

/// A malformed protobuf, in words for the error message.
struct Malformed(&'static str);

impl From<Malformed> for Problem {
    fn from(m: Malformed) -> Problem {
        Problem::BadHeader(m.0)
    }
}

/// A field number and, for length-delimited fields (bytes, strings, nested
/// messages), the payload.
type Field<'a> = (u64, Option<&'a [u8]>);

/// The fields of one protobuf message in order. Other wire types than
/// length-delimited are skipped; CRX3 uses nothing else.
fn fields(mut msg: &[u8]) -> Result<Vec<Field<'_>>, Malformed> {
    let mut out = Vec::new();
    while !msg.is_empty() {
        let key = varint(&mut msg)?;
        let number = key >> 3;
        let payload = match key & 7 {
            0 => {
                varint(&mut msg)?;
                None
            }
            1 => {
                take(&mut msg, 8)?;
                None
            }
            2 => {
                let len = usize::try_from(varint(&mut msg)?)
                    .map_err(|_| Malformed("field length out of range"))?;
                Some(take(&mut msg, len)?)
            }
            5 => {
                take(&mut msg, 4)?;
                None
            }
            _ => return Err(Malformed("unknown wire type")),
        };
        out.push((number, payload));
    }
    Ok(out)
}

fn varint(msg: &mut &[u8]) -> Result<u64, Malformed> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = msg.split_first().ok_or(Malformed("cut short"))?;
        *msg = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(Malformed("varint longer than 10 bytes"))
}

fn take<'a>(msg: &mut &'a [u8], len: usize) -> Result<&'a [u8], Malformed> {
    if msg.len() < len {
        return Err(Malformed("cut short"));
    }
    let (taken, rest) = msg.split_at(len);
    *msg = rest;
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oqs_e2e::fixtures::{crx_id, crx3, extension_zip, proto_field as field, tiny_crx};

    fn problem(bytes: &[u8]) -> Problem {
        read(bytes, "pinauth.crx").unwrap_err().problem
    }

    #[test]
    fn reads_id_and_version() {
        let crx = read(&tiny_crx("pinauth", "4.0.3.1"), "pinauth.crx").unwrap();
        assert_eq!(crx.id, crx_id("pinauth"));
        assert_eq!(crx.version, "4.0.3.1");
        assert_eq!(crx.id.len(), 32);
        assert!(
            crx.id.bytes().all(|b| (b'a'..=b'p').contains(&b)),
            "{}",
            crx.id
        );
    }

    #[test]
    fn id_letters_follow_chromium() {
        // Chromium's own example: the bytes 0x00..0x0f give "aaabacadaeafagahaiajakalamanaoap".
        let bytes: Vec<u8> = (0..16).collect();
        assert_eq!(letters(&bytes), "aaabacadaeafagahaiajakalamanaoap");
        assert_eq!(letters(&[0xff]), "pp");
    }

    #[test]
    fn unknown_fields_of_every_wire_type_are_skipped() {
        let key = b"key".to_vec();
        let id = Sha256::digest(&key)[..16].to_vec();
        let archive = extension_zip(r#"{"version": "1.0"}"#);
        let good = crx3(&key, &id, &archive);
        let header_len = u32::from_le_bytes(good[8..12].try_into().unwrap()) as usize;
        // verified_contents (4, bytes), a varint (5), a fixed64 (6) and a fixed32 (7).
        let mut extra = field(4, b"verified contents");
        extra.extend_from_slice(&[5 << 3, 0x96, 0x01]);
        extra.extend_from_slice(&[6 << 3 | 1, 1, 2, 3, 4, 5, 6, 7, 8]);
        extra.extend_from_slice(&[7 << 3 | 5, 1, 2, 3, 4]);
        let mut crx = good[..8].to_vec();
        crx.extend_from_slice(&((header_len + extra.len()) as u32).to_le_bytes());
        crx.extend_from_slice(&extra);
        crx.extend_from_slice(&good[12..]);
        assert_eq!(read(&crx, "x.crx").unwrap().version, "1.0");
    }

    #[test]
    fn the_matching_key_may_be_any_proof() {
        // Store-signed packages carry the publisher's key too; ours may come second.
        let key = b"developer key".to_vec();
        let id = Sha256::digest(&key)[..16].to_vec();
        let archive = extension_zip(r#"{"version": "2.1"}"#);
        let store_proof = field(2, &field(1, b"store key"));
        let crx = crx3(&key, &id, &archive);
        let header_len = u32::from_le_bytes(crx[8..12].try_into().unwrap()) as usize;
        let mut both = crx[..8].to_vec();
        both.extend_from_slice(&((header_len + store_proof.len()) as u32).to_le_bytes());
        both.extend_from_slice(&store_proof);
        both.extend_from_slice(&crx[12..]);
        assert_eq!(read(&both, "x.crx").unwrap().id, letters(&id));
    }

    #[test]
    fn a_truncated_file_is_refused() {
        let crx = tiny_crx("pinauth", "1.0");
        let header_end = 12 + u32::from_le_bytes(crx[8..12].try_into().unwrap()) as usize;
        assert_eq!(problem(&crx[..header_end - 1]), Problem::Truncated);
        assert_eq!(problem(&crx[..10]), Problem::Truncated);
        assert!(
            matches!(problem(&crx[..header_end + 20]), Problem::Manifest(_)),
            "a cut zip is a manifest problem"
        );
    }

    #[test]
    fn crx2_and_other_files_are_refused_by_name() {
        let mut crx2 = b"Cr24".to_vec();
        crx2.extend_from_slice(&2u32.to_le_bytes());
        crx2.extend_from_slice(&[0; 8]);
        assert_eq!(problem(&crx2), Problem::FormatVersion(2));
        assert_eq!(problem(b"PK\x03\x04 a plain zip"), Problem::NotCrx);
        assert_eq!(problem(b""), Problem::NotCrx);

        let err = read(&crx2, r"C:\Program Files\OQS-Auth\ext\pinauth.crx").unwrap_err();
        let text = err.text();
        assert!(
            text.en
                .contains(r"C:\Program Files\OQS-Auth\ext\pinauth.crx"),
            "{}",
            text.en
        );
        assert!(text.en.contains("CRX3") && text.en.contains("reinstall OQSFaceApp"));
        assert!(text.ja.contains("pinauth.crx") && text.ja.contains("CRX3"));
    }

    #[test]
    fn a_wrong_crx_id_is_refused() {
        let key = b"the real key".to_vec();
        let archive = extension_zip(r#"{"version": "1.0"}"#);
        let other_id = Sha256::digest(b"another key")[..16].to_vec();
        assert_eq!(
            problem(&crx3(&key, &other_id, &archive)),
            Problem::IdMismatch {
                claimed: letters(&other_id)
            }
        );
        assert_eq!(
            problem(&crx3(&key, &other_id[..15], &archive)),
            Problem::BadHeader("crx_id is not 16 bytes")
        );
    }

    #[test]
    fn a_broken_header_is_refused() {
        let with_header = |header: &[u8]| {
            let mut out = b"Cr24".to_vec();
            out.extend_from_slice(&3u32.to_le_bytes());
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
            out.extend_from_slice(header);
            out
        };
        // A proof that claims 255 bytes where the header holds 3.
        assert_eq!(
            problem(&with_header(&[2 << 3 | 2, 0xff, 0x01, 1, 2, 3])),
            Problem::BadHeader("cut short")
        );
        assert_eq!(
            problem(&with_header(&[2 << 3 | 3])),
            Problem::BadHeader("unknown wire type")
        );
        assert_eq!(
            problem(&with_header(&[0x80; 11])),
            Problem::BadHeader("varint longer than 10 bytes")
        );
        assert_eq!(
            problem(&with_header(&field(2, &field(1, b"k")))),
            Problem::BadHeader("no signed_header_data")
        );
    }

    #[test]
    fn manifest_version_must_be_an_extension_version() {
        let key = b"k".to_vec();
        let id = Sha256::digest(&key)[..16].to_vec();
        for (manifest, ok) in [
            ("\u{feff}{\"version\": \"1.2.3.4\"}", true),
            (r#"{"version": "0"}"#, true),
            (r#"{"version": "1.2.3.4.5"}"#, false),
            (r#"{"version": "1.02"}"#, false),
            (r#"{"version": "65536"}"#, false),
            (r#"{"version": "1.0'/><x"}"#, false),
            (r#"{"version": 1}"#, false),
            (r#"{"name": "no version"}"#, false),
            ("not json", false),
        ] {
            let result = read(&crx3(&key, &id, &extension_zip(manifest)), "x.crx");
            assert_eq!(result.is_ok(), ok, "{manifest}: {result:?}");
        }
        let no_manifest = crx3(&key, &id, &{
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            zip.start_file("other.json", zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.finish().unwrap().into_inner()
        });
        assert!(
            matches!(problem(&no_manifest), Problem::Manifest(m) if m.contains("no manifest.json"))
        );
    }
}
