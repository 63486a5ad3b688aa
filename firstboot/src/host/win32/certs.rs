//! PFX import and lookup in the `My` system stores. For a user's store, call
//! these while impersonating that user (its key container and store are its own).

use super::util::{Wide, os};
use crate::host::{HostError, HostResult};
use payload::Secret;
use windows::Win32::Security::Cryptography::*;
use windows::core::w;

/// Where a certificate's private key is attached (CAPI container, CAPI/CNG handle, CNG handle).
const KEY_PROPS: [u32; 3] = [
    CERT_KEY_PROV_INFO_PROP_ID,
    CERT_KEY_CONTEXT_PROP_ID,
    CERT_NCRYPT_KEY_HANDLE_PROP_ID,
];

struct Store(HCERTSTORE);

impl Drop for Store {
    fn drop(&mut self) {
        // SAFETY: a store this module opened, closed once.
        let _ = unsafe { CertCloseStore(Some(self.0), 0) };
    }
}

fn has_property(cert: *const CERT_CONTEXT, prop: u32) -> bool {
    let mut size = 0u32;
    // SAFETY: a size query on a valid context.
    unsafe { CertGetCertificateContextProperty(cert, prop, None, &mut size) }.is_ok()
}

fn has_key(cert: *const CERT_CONTEXT) -> bool {
    KEY_PROPS.iter().any(|&p| has_property(cert, p))
}

fn sha1(cert: *const CERT_CONTEXT) -> HostResult<Vec<u8>> {
    let mut hash = [0u8; 20];
    let mut size = hash.len() as u32;
    // SAFETY: `hash` holds `size` bytes.
    unsafe {
        CertGetCertificateContextProperty(
            cert,
            CERT_SHA1_HASH_PROP_ID,
            Some(hash.as_mut_ptr().cast()),
            &mut size,
        )
    }
    .map_err(|e| os("CertGetCertificateContextProperty", "SHA-1", e))?;
    Ok(hash[..size as usize].to_vec())
}

fn open_pfx(pfx: &[u8], password: &Secret, flags: CRYPT_KEY_FLAGS) -> HostResult<Store> {
    let blob = CRYPT_INTEGER_BLOB {
        cbData: pfx.len() as u32,
        pbData: pfx.as_ptr() as *mut u8,
    };
    let pw = Wide::new(password.expose());
    // SAFETY: `blob` points into `pfx`, which outlives the call.
    let store = unsafe { PFXImportCertStore(&blob, pw.pcwstr(), flags) }
        .map_err(|e| os("PFXImportCertStore", "PFX", e))?;
    Ok(Store(store))
}

/// The certificate in `store` that has a private key (the PFX's own, not its chain).
fn with_key(store: &Store) -> Option<*const CERT_CONTEXT> {
    let mut prev: Option<*const CERT_CONTEXT> = None;
    loop {
        // SAFETY: enumerating a valid store; the previous context is released by the call.
        let cert = unsafe { CertEnumCertificatesInStore(store.0, prev) };
        if cert.is_null() {
            return None;
        }
        if has_key(cert) {
            // SAFETY: keep our own reference past the enumeration.
            return Some(unsafe { CertDuplicateCertificateContext(Some(cert)) });
        }
        prev = Some(cert);
    }
}

fn free(cert: *const CERT_CONTEXT) {
    // SAFETY: a context we own a reference to.
    let _ = unsafe { CertFreeCertificateContext(Some(cert)) };
}

pub fn thumbprint(pfx: &[u8], password: &Secret) -> HostResult<String> {
    // Keys stay in memory: a check must not leave key containers behind.
    let store = open_pfx(pfx, password, PKCS12_NO_PERSIST_KEY)?;
    let cert = with_key(&store)
        .ok_or_else(|| HostError::NotFound("a certificate with a private key in the PFX".into()))?;
    let hash = sha1(cert);
    free(cert);
    Ok(hex::encode_upper(hash?))
}

fn system_my(machine: bool) -> HostResult<Store> {
    let location = if machine {
        CERT_SYSTEM_STORE_LOCAL_MACHINE_ID
    } else {
        CERT_SYSTEM_STORE_CURRENT_USER_ID
    };
    let flags = CERT_OPEN_STORE_FLAGS(location << CERT_SYSTEM_STORE_LOCATION_SHIFT);
    // SAFETY: a system store by name; the string is static.
    let store = unsafe {
        CertOpenStore(
            CERT_STORE_PROV_SYSTEM_W,
            CERT_QUERY_ENCODING_TYPE(0),
            None,
            flags,
            Some(w!("My").as_ptr().cast()),
        )
    }
    .map_err(|e| os("CertOpenStore", "My", e))?;
    Ok(Store(store))
}

pub fn has(machine: bool, thumbprint: &str) -> HostResult<bool> {
    let hash =
        hex::decode(thumbprint).map_err(|e| HostError::failed("thumbprint", thumbprint, e))?;
    let store = system_my(machine)?;
    let blob = CRYPT_INTEGER_BLOB {
        cbData: hash.len() as u32,
        pbData: hash.as_ptr() as *mut u8,
    };
    // SAFETY: `blob` points into `hash`, alive for the call.
    let cert = unsafe {
        CertFindCertificateInStore(
            store.0,
            X509_ASN_ENCODING | PKCS_7_ASN_ENCODING,
            0,
            CERT_FIND_SHA1_HASH,
            Some((&blob as *const CRYPT_INTEGER_BLOB).cast()),
            None,
        )
    };
    if cert.is_null() {
        return Ok(false);
    }
    let found = has_key(cert);
    free(cert);
    Ok(found)
}

pub fn import(machine: bool, pfx: &[u8], password: &Secret) -> HostResult<()> {
    let keyset = if machine {
        CRYPT_MACHINE_KEYSET
    } else {
        CRYPT_USER_KEYSET
    };
    let source = open_pfx(pfx, password, keyset)?;
    let target = system_my(machine)?;
    let mut prev: Option<*const CERT_CONTEXT> = None;
    loop {
        // SAFETY: enumerating the imported store.
        let cert = unsafe { CertEnumCertificatesInStore(source.0, prev) };
        if cert.is_null() {
            return Ok(());
        }
        // Only the certificate with the key goes to My; a chain belongs in CA stores.
        if has_key(cert) {
            // SAFETY: adds a copy (with its key properties) to the open target store.
            unsafe {
                CertAddCertificateContextToStore(
                    Some(target.0),
                    cert,
                    CERT_STORE_ADD_REPLACE_EXISTING,
                    None,
                )
            }
            .map_err(|e| os("CertAddCertificateContextToStore", "My", e))?;
        }
        prev = Some(cert);
    }
}
