//! The Windows launcher `sk.cmd`, for PATH set-ups that resolve commands through `.cmd`
//! shims. cmd.exe misparses batch files with LF-only line endings (runbook §6.4), so the
//! bytes are generated here with CRLF on every platform — never from a checked-in file
//! whose line endings git could rewrite — and a test checks them byte for byte.

/// File name of the launcher, next to the binary.
pub const FILE_NAME: &str = "sk.cmd";

const LINES: &[&str] = &[
    "@echo off",
    "rem sk launcher, written by `sk install` (regenerate it with `sk install`).",
    "rem It runs sk.exe from this folder with all arguments and passes its exit code on.",
    "\"%~dp0sk.exe\" %*",
    "exit /b %ERRORLEVEL%",
];

/// The launcher's exact bytes: every line ends in CRLF, including the last.
pub fn sk_cmd_bytes() -> Vec<u8> {
    let mut out = Vec::new();
    for line in LINES {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_ends_in_crlf_and_no_lone_lf_or_cr() {
        let bytes = sk_cmd_bytes();
        assert!(bytes.ends_with(b"\r\n"));
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'\n' {
                assert_eq!(bytes[i - 1], b'\r', "lone LF at byte {i}");
            }
            if *b == b'\r' {
                assert_eq!(bytes.get(i + 1), Some(&b'\n'), "lone CR at byte {i}");
            }
        }
        assert_eq!(bytes.iter().filter(|b| **b == b'\n').count(), LINES.len());
    }
}
