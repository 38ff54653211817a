//! The local secret that signs sk's integrity manifests and markers: 32 random bytes, hex,
//! in a 0600 file created on first use. Whoever can read it can forge a signature, so it
//! never leaves the machine and is never printed.

use std::io::Write;
use std::path::Path;

use crate::ProvisionError;

/// Reads the secret, creating it when absent. Two processes creating it at once agree on
/// one: the file is created exclusively and the loser reads the winner's.
pub fn load_or_create(path: &Path) -> Result<Vec<u8>, ProvisionError> {
    if let Some(secret) = load(path)? {
        return Ok(secret);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(ProvisionError::io(dir))?;
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ProvisionError::Io {
        path: path.into(),
        error: std::io::Error::other(format!("no randomness for a new secret: {e}")),
    })?;
    match crate::atomic::create_new(path, Some(0o600)) {
        Ok(mut file) => {
            file.write_all(hex::encode(bytes).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(ProvisionError::io(path))?;
            Ok(bytes.to_vec())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            load(path)?.ok_or_else(|| ProvisionError::Io {
                path: path.into(),
                error: e,
            })
        }
        Err(e) => Err(ProvisionError::Io {
            path: path.into(),
            error: e,
        }),
    }
}

/// The secret if it exists; an unreadable or malformed file is an error, never replaced
/// (replacing it would silently invalidate every signature made with it).
pub fn load(path: &Path) -> Result<Option<Vec<u8>>, ProvisionError> {
    match std::fs::read_to_string(path) {
        Ok(text) => hex::decode(text.trim())
            .map(Some)
            .map_err(|_| ProvisionError::Io {
                path: path.into(),
                error: std::io::Error::other("the secret file is not hex; move it aside to create a new one"),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ProvisionError::Io {
            path: path.into(),
            error: e,
        }),
    }
}

/// HMAC-SHA256 of `message` under `secret`, hex.
pub fn sign(secret: &[u8], message: &[u8]) -> String {
    use hmac::Mac;
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `signature` is `message`'s HMAC under `secret`, compared in constant time.
pub fn verify(secret: &[u8], message: &[u8], signature: &str) -> bool {
    use hmac::Mac;
    let (Ok(mut mac), Ok(expected)) = (
        hmac::Hmac::<sha2::Sha256>::new_from_slice(secret),
        hex::decode(signature),
    ) else {
        return false;
    };
    mac.update(message);
    mac.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_private_and_stable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("m").join("sk.secret");
        let a = load_or_create(&path).expect("create");
        let b = load_or_create(&path).expect("load");
        assert_eq!(a, b);
        assert_eq!(a.len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn sign_is_hmac_sha256_as_rfc_4231_defines_it() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signatures_verify_only_for_the_same_secret_and_message() {
        let sig = sign(b"k1", b"msg");
        assert!(verify(b"k1", b"msg", &sig));
        assert!(!verify(b"k2", b"msg", &sig));
        assert!(!verify(b"k1", b"msg2", &sig));
        assert!(!verify(b"k1", b"msg", "zz"));
    }
}
