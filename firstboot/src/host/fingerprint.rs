use payload::Secret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Stands for a secret when only equality matters: a host reports what a vault
/// holds as a fingerprint, so checks compare secrets without handing them around
/// and the simulated Windows can be saved to a file without holding them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub fn of(secret: &Secret) -> Fingerprint {
        Fingerprint::of_str(secret.expose())
    }

    pub fn of_str(value: &str) -> Fingerprint {
        let mut hasher = Sha256::new();
        hasher.update(b"oqs-stick fingerprint\0");
        hasher.update(value.as_bytes());
        Fingerprint(hex::encode(hasher.finalize()))
    }
}
