//! The key that signs what sk trusts later (sub-agent markers): 32 random bytes, created
//! 0600 on first use in the markers folder, and HMAC-SHA256 over it. A marker anyone could
//! write by hand would let any process block an agent's commits; a signed one cannot be
//! forged without reading the owner's private file.

use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::{HookError, atomic};

const KEY_LEN: usize = 32;

/// Reads the key, creating it first if there is none. Two processes racing to create it
/// both end up with the one that won the exclusive create.
pub fn load_or_create(path: &Path) -> Result<Vec<u8>, HookError> {
    if let Some(key) = load(path)? {
        return Ok(key);
    }
    let mut key = [0u8; KEY_LEN];
    getrandom::fill(&mut key).map_err(|e| HookError::Io {
        path: path.to_path_buf(),
        error: std::io::Error::other(e.to_string()),
    })?;
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(HookError::io(dir))?;
    }
    match atomic::create(path, true) {
        Ok(mut f) => {
            use std::io::Write;
            f.write_all(hex::encode(key).as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(HookError::io(path))?;
            Ok(key.to_vec())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load(path)?.ok_or_else(|| bad(path)),
        Err(e) => Err(HookError::io(path)(e)),
    }
}

/// The key if the file exists; a damaged file is an error, never silently replaced.
pub fn load(path: &Path) -> Result<Option<Vec<u8>>, HookError> {
    match fs::read_to_string(path) {
        Ok(text) => hex::decode(text.trim())
            .ok()
            .filter(|k| k.len() == KEY_LEN)
            .map(Some)
            .ok_or_else(|| bad(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(HookError::io(path)(e)),
    }
}

fn bad(path: &Path) -> HookError {
    HookError::BadFile {
        path: path.to_path_buf(),
        detail: format!("expected {} hex characters", KEY_LEN * 2),
    }
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`, hex-encoded.
pub fn sign(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    hex::encode(outer)
}

/// Constant-time comparison of two signatures.
pub fn verify(key: &[u8], message: &[u8], signature: &str) -> bool {
    let expected = sign(key, message);
    expected.len() == signature.len()
        && expected
            .bytes()
            .zip(signature.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(verify(
            b"Jefe",
            b"what do ya want for nothing?",
            &sign(b"Jefe", b"what do ya want for nothing?")
        ));
        assert!(!verify(
            b"Jefe",
            b"what do ya want for nothing!",
            &sign(b"Jefe", b"what do ya want for nothing?")
        ));
    }

    #[test]
    fn key_is_created_once_and_private() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("m/hooks.secret");
        let a = load_or_create(&path).expect("create");
        let b = load_or_create(&path).expect("load");
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        fs::write(&path, "garbage").expect("damage");
        assert!(
            load_or_create(&path).is_err(),
            "a damaged key is reported, not replaced"
        );
    }
}
