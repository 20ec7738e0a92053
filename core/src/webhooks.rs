//! Webhook signatures: `ocus-signature` is the lowercase hex HMAC-SHA256 of what OCUS signs.
//!
//! OCUS documents two forms and its own page contradicts itself: its steps say the HMAC is
//! computed over "the response body.data", one version of its sample signs
//! `JSON.stringify(req.body.data)` (the `data` member of the parsed body, re-serialised by
//! JavaScript), a later one the raw request body. [`verify`] accepts both:
//! - [`SignedPart::Body`]: the HMAC of the raw body, byte for byte (checked first);
//! - [`SignedPart::Data`]: the HMAC of the body's `data` member written as JavaScript's
//!   `JSON.stringify` writes it ([`js_stringify`]: key order as received except that
//!   array-index keys such as `"2"` come first in ascending order, no whitespace, numbers as
//!   JavaScript prints doubles, strings escaped as JSON.stringify escapes them).
//!
//! The event is the body itself or, when the body has a `data` object, that object. What is
//! returned is only what the signature covers: a `data` signature never yields fields from
//! outside `data`.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::error::{Error, ErrorKind, Result};
use crate::model::ProjectStatus;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "ocus-signature";

type HmacSha256 = Hmac<Sha256>;

/// Which event a webhook announces. Unknown ids are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventName {
    /// `project.updated`.
    ProjectUpdated,
    /// `project.status.updated`.
    ProjectStatusUpdated,
    /// Any other event id, kept as sent.
    Unknown(String),
}

impl EventName {
    /// The id as sent (`"project.updated"`).
    pub fn as_str(&self) -> &str {
        match self {
            EventName::ProjectUpdated => "project.updated",
            EventName::ProjectStatusUpdated => "project.status.updated",
            EventName::Unknown(other) => other,
        }
    }
}

impl From<&str> for EventName {
    fn from(value: &str) -> Self {
        match value {
            "project.updated" => EventName::ProjectUpdated,
            "project.status.updated" => EventName::ProjectStatusUpdated,
            other => EventName::Unknown(other.to_owned()),
        }
    }
}

/// Which part of a webhook body a signature covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SignedPart {
    /// The raw request body, byte for byte.
    #[default]
    Body,
    /// The body's `data` member as JavaScript's `JSON.stringify` writes it.
    Data,
}

impl SignedPart {
    /// `"body"` or `"data"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignedPart::Body => "body",
            SignedPart::Data => "data",
        }
    }

    /// `"body"` or `"data"`, as every binding spells it.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "body" => Ok(SignedPart::Body),
            "data" => Ok(SignedPart::Data),
            other => Err(Error::configuration(format!(
                "unknown signed part {other:?} (expected \"body\" or \"data\")"
            ))),
        }
    }
}

/// A verified webhook event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// The event id, e.g. `project.updated`.
    pub id: String,
    /// The resource type (`"event"`).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Every attribute sent, known or not.
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// What the signature covered (the event is inside it).
    #[serde(skip)]
    pub signed_part: SignedPart,
}

impl WebhookEvent {
    /// The event id as a typed name.
    pub fn name(&self) -> EventName {
        EventName::from(self.id.as_str())
    }

    /// `attributes.organization_id`, if sent.
    pub fn organization_id(&self) -> Option<&str> {
        self.attributes
            .get("organization_id")
            .and_then(Value::as_str)
    }

    /// `attributes.project_id`, if sent.
    pub fn project_id(&self) -> Option<&str> {
        self.attributes.get("project_id").and_then(Value::as_str)
    }

    /// The new status (`project.status.updated` only).
    pub fn status(&self) -> Option<ProjectStatus> {
        self.attributes
            .get("status")
            .and_then(Value::as_str)
            .map(ProjectStatus::from)
    }

    /// The event as JSON, as sent.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The event as every binding shows it.
    pub fn view(&self) -> EventView<'_> {
        EventView {
            id: &self.id,
            resource_type: &self.resource_type,
            organization_id: self.organization_id(),
            project_id: self.project_id(),
            status: self.attributes.get("status").and_then(Value::as_str),
            attributes: &self.attributes,
            signed_part: self.signed_part.as_str(),
        }
    }
}

/// What every binding shows of a verified event.
#[derive(Debug, Serialize)]
pub struct EventView<'a> {
    /// The event id (`"project.updated"`).
    pub id: &'a str,
    #[serde(rename = "type")]
    /// The resource type, `"event"`.
    pub resource_type: &'a str,
    /// `attributes.organization_id`, if sent.
    pub organization_id: Option<&'a str>,
    /// `attributes.project_id`, if sent.
    pub project_id: Option<&'a str>,
    /// `attributes.status`, if sent.
    pub status: Option<&'a str>,
    /// Every attribute as sent.
    pub attributes: &'a Map<String, Value>,
    /// `"body"` or `"data"`: what the signature covered.
    pub signed_part: &'a str,
}

/// The signature of the raw `body` with `secret`, as OCUS sends it (for tests and emulators).
pub fn sign(body: impl AsRef<[u8]>, secret: impl AsRef<[u8]>) -> String {
    sign_bytes(body.as_ref(), secret.as_ref())
}

fn sign_bytes(body: &[u8], secret: &[u8]) -> String {
    hex::encode(mac(secret, body).finalize().into_bytes())
}

/// The signature of `part` of `body` with `secret`: [`SignedPart::Data`] signs the body's
/// `data` member as `JSON.stringify` writes it (a `decode` error when the body is not a JSON
/// object with `data`).
pub fn sign_part(
    body: impl AsRef<[u8]>,
    secret: impl AsRef<[u8]>,
    part: SignedPart,
) -> Result<String> {
    sign_part_bytes(body.as_ref(), secret.as_ref(), part)
}

fn sign_part_bytes(body: &[u8], secret: &[u8], part: SignedPart) -> Result<String> {
    match part {
        SignedPart::Body => Ok(sign(body, secret)),
        SignedPart::Data => {
            let data = data_member(body).ok_or_else(|| {
                Error::decode("the body is not a JSON object with a \"data\" member")
            })?;
            Ok(sign(js_stringify(&data).as_bytes(), secret))
        }
    }
}

fn mac(secret: &[u8], signed: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(signed);
    mac
}

/// The `data` member of a JSON object body, parsed as JavaScript's `JSON.parse` would keep it
/// (serde_json with insertion order; a repeated key keeps its first place and last value, as
/// in JavaScript).
fn data_member(body: &[u8]) -> Option<Value> {
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(mut object) => object.remove("data"),
        _ => None,
    }
}

/// Checks `signature` (the `ocus-signature` header, empty if absent) in constant time against
/// both signed forms (the raw body, then its `data` member as `JSON.stringify` writes it),
/// then parses the event from what the signature covers.
///
/// Errors: kind `invalid_signature` with code `missing_signature`, `malformed_signature` or
/// `signature_mismatch`; `configuration` for an empty secret; `decode` for a correctly signed
/// body that is not an event.
///
/// The body and the secret are bytes or text (`&[u8]`, `Vec<u8>`, `&str`, `String`...): verify
/// the bytes as received, before any JSON parsing.
pub fn verify(
    raw_body: impl AsRef<[u8]>,
    signature: &str,
    secret: impl AsRef<[u8]>,
) -> Result<WebhookEvent> {
    verify_bytes(raw_body.as_ref(), signature, secret.as_ref())
}

fn verify_bytes(raw_body: &[u8], signature: &str, secret: &[u8]) -> Result<WebhookEvent> {
    if secret.is_empty() {
        return Err(Error::configuration("the webhook secret is empty"));
    }
    let signature = signature.trim();
    if signature.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidSignature,
            format!("the {SIGNATURE_HEADER} header is missing"),
        )
        .with_code("missing_signature"));
    }
    let expected = match hex::decode(signature) {
        Ok(bytes) if bytes.len() == 32 => bytes,
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidSignature,
                format!("the {SIGNATURE_HEADER} header is not 64 hexadecimal characters"),
            )
            .with_code("malformed_signature"));
        }
    };
    // `verify_slice` compares in constant time.
    let (signed, part) = if mac(secret, raw_body).verify_slice(&expected).is_ok() {
        let body = serde_json::from_slice::<Value>(raw_body).map_err(not_an_event)?;
        match body {
            Value::Object(mut object) if object.get("data").is_some_and(Value::is_object) => {
                (object.remove("data").unwrap_or_default(), SignedPart::Body)
            }
            body => (body, SignedPart::Body),
        }
    } else {
        match data_member(raw_body) {
            Some(data)
                if mac(secret, js_stringify(&data).as_bytes())
                    .verify_slice(&expected)
                    .is_ok() =>
            {
                (data, SignedPart::Data)
            }
            _ => {
                return Err(Error::new(
                    ErrorKind::InvalidSignature,
                    "the signature matches neither the body nor its data member (wrong secret, or the body was altered)",
                )
                .with_code("signature_mismatch"));
            }
        }
    };
    let mut event = serde_json::from_value::<WebhookEvent>(signed).map_err(not_an_event)?;
    event.signed_part = part;
    Ok(event)
}

fn not_an_event(error: serde_json::Error) -> Error {
    Error::decode(format!("the signed body is not a webhook event ({error})")).with_source(error)
}

/// `value` written as JavaScript's `JSON.stringify(value)` writes the value `JSON.parse` made
/// of it. Where it differs from `serde_json::to_string`: numbers are doubles printed the
/// ECMAScript way (`1.0` → `1`, `1e21` → `1e+21`, `12345678901234567890` →
/// `12345678901234567000`, `-0` → `0`), and object keys that are array indices (`"0"`,
/// `"17"`, below 2^32 - 1) come first in ascending numeric order, as JavaScript orders them.
/// Strings escape the same set (`"`, `\\`, control characters; not `/`, not non-ASCII).
pub fn js_stringify(value: &Value) -> String {
    let mut out = String::new();
    write_js(value, &mut out);
    out
}

fn write_js(value: &Value, out: &mut String) {
    match value {
        Value::Number(number) => {
            let double = number.as_f64().unwrap_or(f64::NAN);
            if double.is_finite() {
                out.push_str(ryu_js::Buffer::new().format_finite(double));
            } else {
                out.push_str("null"); // as JSON.stringify writes Infinity and NaN
            }
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_js(item, out);
            }
            out.push(']');
        }
        Value::Object(object) => {
            let mut indices: Vec<(u32, &String)> = object
                .keys()
                .filter_map(|key| array_index(key).map(|index| (index, key)))
                .collect();
            indices.sort_unstable();
            let keys = indices
                .into_iter()
                .map(|(_, key)| key)
                .chain(object.keys().filter(|key| array_index(key).is_none()));
            out.push('{');
            for (position, key) in keys.enumerate() {
                if position > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                write_js(&object[key.as_str()], out);
            }
            out.push('}');
        }
        // null, booleans and strings: serde_json writes them as JSON.stringify does.
        other => out.push_str(&other.to_string()),
    }
}

/// A key JavaScript treats as an array index: the canonical decimal form of an integer below
/// 2^32 - 1 (`"0"`, `"42"`; not `"01"`, `"-1"`, `"4294967295"`).
fn array_index(key: &str) -> Option<u32> {
    let canonical =
        key == "0" || (!key.starts_with('0') && key.bytes().all(|b| b.is_ascii_digit()));
    match key.parse::<u32>() {
        Ok(index) if canonical && !key.is_empty() && index != u32::MAX => Some(index),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"type":"event","id":"project.status.updated","attributes":{"organization_id":"o1","project_id":"p1","status":"completed"}}"#;

    #[test]
    fn good_signatures_verify_and_give_typed_events() {
        let signature = sign(BODY, b"whsec");
        let event = verify(BODY, &signature, b"whsec").unwrap();
        assert_eq!(event.name(), EventName::ProjectStatusUpdated);
        assert_eq!(event.project_id(), Some("p1"));
        assert_eq!(event.organization_id(), Some("o1"));
        assert_eq!(event.status(), Some(ProjectStatus::Completed));
        // Hex case does not matter.
        verify(BODY, &signature.to_uppercase(), b"whsec").unwrap();
    }

    #[test]
    fn bad_signatures_have_distinct_codes() {
        let signature = sign(BODY, b"whsec");
        let code = |body: &[u8], sig: &str, secret: &[u8]| {
            let err = verify(body, sig, secret).unwrap_err();
            (err.kind(), err.code().map(str::to_owned))
        };
        let invalid = ErrorKind::InvalidSignature;
        assert_eq!(
            code(BODY, "", b"whsec"),
            (invalid, Some("missing_signature".into()))
        );
        assert_eq!(
            code(BODY, "zz", b"whsec"),
            (invalid, Some("malformed_signature".into()))
        );
        assert_eq!(
            code(BODY, &signature[..62], b"whsec"),
            (invalid, Some("malformed_signature".into()))
        );
        assert_eq!(
            code(BODY, &signature, b"other"),
            (invalid, Some("signature_mismatch".into()))
        );
        let mut tampered = BODY.to_vec();
        tampered[40] ^= 1;
        assert_eq!(
            code(&tampered, &signature, b"whsec"),
            (invalid, Some("signature_mismatch".into()))
        );
        assert_eq!(code(BODY, &signature, b"").0, ErrorKind::Configuration);
        let not_event = b"[1]";
        assert_eq!(
            code(not_event, &sign(not_event, b"s"), b"s").0,
            ErrorKind::Decode
        );
    }

    /// Expected texts are what Node 20's `JSON.stringify(JSON.parse(body).data)` printed.
    #[test]
    fn data_is_written_as_json_stringify_writes_it() {
        let cases: &[(&str, &str)] = &[
            (r#"{"data":{"b":1,"a":2}}"#, r#"{"b":1,"a":2}"#),
            (
                r#"{"data":{"b":1,"2":"x","10":"y","1":"z","01":"w","-1":"v","4294967295":"u","4294967294":"t"}}"#,
                r#"{"1":"z","2":"x","10":"y","4294967294":"t","b":1,"01":"w","-1":"v","4294967295":"u"}"#,
            ),
            (
                r#"{"data":[1.0,1e21,1e-7,123456789012345678901,12345678901234567890,-0,-0.0,0.1,1.5e300,2.5E-5,100,1e2,0.000001,5e-324,1.7976931348623157e308]}"#,
                r#"[1,1e+21,1e-7,123456789012345680000,12345678901234567000,0,0,0.1,1.5e+300,0.000025,100,100,0.000001,5e-324,1.7976931348623157e+308]"#,
            ),
            (
                r#"{"data":"caf\u00e9 \/ \u2028 \u0001 \u001f \u007f \b\f\n\r\t \"q\" \\ 😀 \ud83d\ude00"}"#,
                r#""café /   \u0001 \u001f  \b\f\n\r\t \"q\" \\ 😀 😀""#,
            ),
            (
                r#"{ "data" : { "type" : "event" , "id":"x" , "a":{"a":1,"a":2,"b":3} } , "outer": 1 }"#,
                r#"{"type":"event","id":"x","a":{"a":2,"b":3}}"#,
            ),
            (
                r#"{"data":{"x":true,"y":false,"z":null,"w":[],"v":{}}}"#,
                r#"{"x":true,"y":false,"z":null,"w":[],"v":{}}"#,
            ),
        ];
        for (body, expected) in cases {
            let data = data_member(body.as_bytes()).expect(body);
            assert_eq!(js_stringify(&data), *expected, "{body}");
        }
    }

    #[test]
    fn both_signed_forms_verify_and_say_which() {
        let wrapped = br#"{"data":{"type":"event","id":"project.updated","attributes":{"project_id":"p1"}},"meta":{"x":1}}"#;
        let by_body = verify(wrapped, &sign(wrapped, b"s"), b"s").unwrap();
        assert_eq!(
            (by_body.project_id(), by_body.signed_part),
            (Some("p1"), SignedPart::Body)
        );
        let data_signature = sign_part(wrapped, b"s", SignedPart::Data).unwrap();
        assert_eq!(
            data_signature,
            sign(
                br#"{"type":"event","id":"project.updated","attributes":{"project_id":"p1"}}"#,
                b"s"
            )
        );
        let by_data = verify(wrapped, &data_signature, b"s").unwrap();
        assert_eq!(
            (by_data.project_id(), by_data.signed_part),
            (Some("p1"), SignedPart::Data)
        );
        // Whitespace and escapes outside the signed text do not matter to the data form...
        let spaced = "{ \"data\" : {\"type\":\"event\", \"id\":\"project.updated\",\n \"attributes\":{\"project_id\":\"p\\u0031\"}}, \"meta\":{\"x\":2}}";
        let event = verify(spaced.as_bytes(), &data_signature, b"s").unwrap();
        assert_eq!(event.project_id(), Some("p1"));
        // ...and what it returns is only what it covers.
        assert!(!event.to_json().to_string().contains("meta"));
        // A change inside data is a mismatch in either form.
        let tampered = String::from_utf8(wrapped.to_vec())
            .unwrap()
            .replace("p1", "p2");
        for signature in [sign(wrapped, b"s"), data_signature] {
            let error = verify(tampered.as_bytes(), &signature, b"s").unwrap_err();
            assert_eq!(error.code(), Some("signature_mismatch"));
        }
        assert_eq!(
            sign_part(b"[1]", b"s", SignedPart::Data)
                .unwrap_err()
                .kind(),
            ErrorKind::Decode
        );
        assert_eq!(SignedPart::parse("data").unwrap(), SignedPart::Data);
        assert_eq!(
            SignedPart::parse("raw").unwrap_err().kind(),
            ErrorKind::Configuration
        );
    }

    #[test]
    fn array_indices_are_canonical_and_below_the_limit() {
        for (key, index) in [
            ("0", Some(0)),
            ("17", Some(17)),
            ("4294967294", Some(4294967294)),
        ] {
            assert_eq!(array_index(key), index);
        }
        for key in [
            "",
            "01",
            "-1",
            "+1",
            "1.0",
            "4294967295",
            "99999999999",
            "1e3",
            " 1",
        ] {
            assert_eq!(array_index(key), None, "{key}");
        }
    }
}
