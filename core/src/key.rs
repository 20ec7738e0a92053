//! The API key as a secret: validated once, redacted everywhere, zeroized on drop.

use std::fmt;

/// A key file larger than this is not a key file (and is not read whole: `/dev/zero` fails).
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};

/// An OCUS API key.
///
/// It cannot be printed: `Debug` and `Display` show `ApiKey(***)`. Its memory is zeroed when it
/// is dropped. It is validated when created, so a bad key is a configuration error before any
/// byte is sent.
#[derive(Clone)]
pub struct ApiKey {
    secret: SecretString,
}

impl ApiKey {
    /// Validates `key` and wraps it. The error never contains the key itself.
    ///
    /// A key must be non-empty printable ASCII without spaces (no whitespace, CR/LF or control
    /// characters), so it always forms a valid HTTP header value.
    pub fn new(key: impl Into<String>) -> Result<ApiKey> {
        let secret = SecretString::from(key.into());
        validate(secret.expose_secret())?;
        Ok(ApiKey { secret })
    }

    /// Reads a key from a file: surrounding whitespace (such as a trailing newline) is
    /// trimmed, inner whitespace is an error.
    pub fn from_file(path: &std::path::Path) -> Result<ApiKey> {
        let raw = crate::io::read_small_file(path, MAX_KEY_FILE_BYTES, "API key file")?;
        // Into the secret type before anything else can copy it; not UTF-8 is not a key.
        let raw = SecretString::from(String::from_utf8(raw).map_err(|_| {
            Error::configuration(format!(
                "the API key file {} is not UTF-8 text",
                path.display()
            ))
        })?);
        ApiKey::new(raw.expose_secret().trim())
            .map_err(|e| Error::configuration(format!("{} (in {})", e.message(), path.display())))
    }

    /// The header value, marked sensitive so HTTP tooling never logs it.
    pub(crate) fn header_value(&self) -> HeaderValue {
        let mut value = HeaderValue::from_str(self.secret.expose_secret())
            .expect("validated keys are valid header values");
        value.set_sensitive(true);
        value
    }

    /// Equality of two keys in constant time (for key-file rotation checks).
    pub(crate) fn same_as(&self, other: &ApiKey) -> bool {
        use subtle::ConstantTimeEq;
        let (a, b) = (self.secret.expose_secret(), other.secret.expose_secret());
        a.as_bytes().ct_eq(b.as_bytes()).into()
    }
}

fn validate(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::configuration("the API key is empty"));
    }
    if let Some(position) = key.bytes().position(|b| !(0x21..=0x7e).contains(&b)) {
        let what = match key.as_bytes()[position] {
            b'\r' | b'\n' => "a line break (CR/LF)",
            b' ' | b'\t' => "whitespace",
            0x80.. => "a non-ASCII character",
            _ => "a control character",
        };
        return Err(Error::configuration(format!(
            "the API key contains {what} at position {position}; keys are printable ASCII without spaces"
        )));
    }
    Ok(())
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_keys_are_configuration_errors_that_do_not_echo_the_key() {
        for (key, what) in [
            ("", "empty"),
            ("abc def", "whitespace"),
            ("abc\tdef", "whitespace"),
            ("abc\r\nX-Evil: 1", "line break"),
            ("abc\ndef", "line break"),
            ("clé-secrète", "non-ASCII"),
            ("abc\u{7f}", "control"),
            ("abc\0", "control"),
        ] {
            let err = ApiKey::new(key).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Configuration);
            assert!(err.message().contains(what), "{key:?}: {}", err.message());
            if key.len() > 3 {
                assert!(!err.to_string().contains(key));
                assert!(!format!("{err:?}").contains(key));
            }
        }
    }

    #[test]
    fn keys_are_redacted() {
        let key = ApiKey::new("sk_live_very_secret").unwrap();
        assert_eq!(format!("{key:?}"), "ApiKey(***)");
        assert_eq!(key.to_string(), "***");
        assert!(key.header_value().is_sensitive());
        assert!(key.same_as(&ApiKey::new("sk_live_very_secret").unwrap()));
        assert!(!key.same_as(&ApiKey::new("sk_live_very_secreT").unwrap()));
    }

    #[test]
    fn key_files_are_trimmed() {
        let dir = std::env::temp_dir().join(format!("ocus-key-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key");
        std::fs::write(&path, "  file_key_123\n").unwrap();
        let key = ApiKey::from_file(&path).unwrap();
        assert!(key.same_as(&ApiKey::new("file_key_123").unwrap()));
        std::fs::write(&path, "two words\n").unwrap();
        let err = ApiKey::from_file(&path).unwrap_err();
        assert!(!err.to_string().contains("two words"));
        let missing = ApiKey::from_file(&dir.join("missing")).unwrap_err();
        assert_eq!(missing.kind(), crate::ErrorKind::Configuration);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
