//! The fuzz targets' bodies: `fuzz_targets/*.rs` hand them libFuzzer's inputs (`make fuzz`),
//! `tests/replay.rs` every committed input on stable (`make test`), so a crash found once
//! stays fixed. Each body asserts what must hold for any input, beyond "no panic".

use std::ffi::{CString, c_char};
use std::ptr;
use std::sync::OnceLock;

use ocus::webhooks::SignedPart;
use ocus::{ErrorKind, ListParams, RequestOptions};
use serde_json::{Map, Value};

/// `data` cut at each 0xFF byte (never valid UTF-8, so text parts stay any text), padded with
/// empty parts to `count`.
fn parts(data: &[u8], count: usize) -> Vec<&[u8]> {
    let mut parts: Vec<&[u8]> = data.splitn(count, |&b| b == 0xFF).collect();
    parts.resize(count, &[]);
    parts
}

/// Any status, any headers (`name: value` lines), any body, as a response's error.
pub fn error_body(data: &[u8]) {
    if data.len() < 2 {
        return;
    }
    let status = u16::from_le_bytes([data[0], data[1]]);
    let [head, body] = parts(&data[2..], 2)[..] else {
        unreachable!()
    };
    let headers: Vec<(&[u8], &[u8])> = head
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            Some((&line[..colon], line[colon + 1..].trim_ascii()))
        })
        .collect();
    let error = ocus::fuzzing::error_from_response(status, &headers, body);
    assert_eq!(error.status(), Some(status));
    assert!(
        !error.message().is_empty(),
        "an error always says something"
    );
    assert!(
        error
            .body()
            .is_none_or(|kept| kept.len() <= ocus::MAX_KEPT_BODY_BYTES + 8)
    );
    if let Some(wait) = error.retry_after() {
        assert!(wait.as_secs_f64().is_finite());
    }
    let _ = (error.to_string(), format!("{error:?}"), error.causes());
}

/// Any body, signature header and secret; and whatever `sign` signs, `verify` accepts.
pub fn webhook(data: &[u8]) {
    let [body, signature, secret] = parts(data, 3)[..] else {
        unreachable!()
    };
    let signature = String::from_utf8_lossy(signature);
    if let Ok(event) = ocus::webhooks::verify(body, &signature, secret) {
        let _ = (event.view(), event.to_json());
    }
    for part in [SignedPart::Body, SignedPart::Data] {
        if let Ok(signed) = ocus::webhooks::sign_part(body, secret, part) {
            match ocus::webhooks::verify(body, &signed, secret) {
                Ok(event) => assert_eq!(event.signed_part, part),
                // Signed but not an event: any error but a signature one.
                Err(error) => assert_ne!(error.kind(), ErrorKind::InvalidSignature, "{error}"),
            }
        }
    }
}

/// Any JSON object as client, request and list options; any text as a key, URL, proxy or
/// header. Options that open files or descriptors are left out: the file system is not what
/// is fuzzed here.
pub fn options(data: &[u8]) {
    let object = match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return,
        Err(_) => {
            let text = String::from_utf8_lossy(data).into_owned();
            let mut one = Map::new();
            for name in ["api_key", "base_url", "proxy", "user_agent", "log_level"] {
                one.insert(name.into(), Value::String(text.clone()));
            }
            one.insert(
                "default_headers".into(),
                serde_json::json!({ text.clone(): text }),
            );
            for (name, value) in one {
                let single = Map::from_iter([(name, value)]);
                let _ = ocus::fuzzing::check_client_options(single);
            }
            return;
        }
    };
    let mut client = object.clone();
    for name in [
        "ca_bundle",
        "caBundle",
        "api_key_file",
        "apiKeyFile",
        "log_fd",
        "logFd",
    ] {
        client.remove(name);
    }
    if let Err(error) = ocus::fuzzing::check_client_options(client) {
        assert_eq!(error.kind(), ErrorKind::Configuration, "{error}");
    }
    for outcome in [
        RequestOptions::from_options(object.clone()).map(|_| ()),
        RequestOptions::from_call_options(object.clone()).map(|_| ()),
        ListParams::from_options(object).map(|_| ()),
    ] {
        if let Err(error) = outcome {
            assert_eq!(error.kind(), ErrorKind::Configuration, "{error}");
        }
    }
}

/// A closed client: calls check their arguments, then fail at once without a network.
struct Closed(*mut ocus_ffi::OcusClient);
// SAFETY: the C ABI's clients are thread-safe (documented in ocus.h).
unsafe impl Send for Closed {}
unsafe impl Sync for Closed {}

fn closed_client() -> *const ocus_ffi::OcusClient {
    static CLIENT: OnceLock<Closed> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let options =
                c"{\"api_key\": \"ocus_fuzz_key\", \"base_url\": \"http://127.0.0.1:9/v3\"}";
            let mut client = ptr::null_mut();
            // SAFETY: valid C string and out-pointer.
            let rc = unsafe {
                ocus_ffi::ocus_client_new(options.as_ptr(), &mut client, ptr::null_mut())
            };
            assert_eq!(rc, 0);
            // SAFETY: a live client.
            unsafe { ocus_ffi::ocus_client_close(client) };
            Closed(client)
        })
        .0
}

/// Frees what a call returned, checking the contract: on success a result and no error, on
/// failure an error and no result.
fn settle(rc: i32, out: *mut c_char, err: *mut ocus_ffi::OcusError) {
    if rc == 0 {
        assert!(!out.is_null() && err.is_null(), "rc 0 with no result");
    } else {
        assert!(out.is_null(), "rc {rc} with a result");
        assert!(!err.is_null(), "rc {rc} with no error");
        // SAFETY: a live error the library returned.
        assert_eq!(unsafe { (*err).code }, rc);
    }
    // SAFETY: NULL or owned by us, freed once.
    unsafe {
        ocus_ffi::ocus_string_free(out);
        ocus_ffi::ocus_error_free(err);
    }
}

/// Every C entry point that takes text, lengths or JSON, with arbitrary bytes.
pub fn c_abi(data: &[u8]) {
    let [id, options, method, path, body, signature, secret] = parts(data, 7)[..] else {
        unreachable!()
    };
    // JSON options are C strings: cut at the first NUL as C would.
    let options = CString::new(options.split(|&b| b == 0).next().unwrap_or_default()).unwrap();
    let options = options.as_ptr();
    let client = closed_client();
    // SAFETY: every pointer is valid for its length, out-pointers are writable, each result is
    // freed once by `settle`.
    unsafe {
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let rc = ocus_ffi::ocus_projects_get(
            client,
            id.as_ptr().cast(),
            id.len(),
            options,
            ptr::null(),
            &mut out,
            &mut err,
        );
        assert_ne!(rc, 0, "a closed client never succeeds");
        settle(rc, out, err);

        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let rc = ocus_ffi::ocus_projects_list(client, options, ptr::null(), &mut out, &mut err);
        assert_ne!(rc, 0);
        settle(rc, out, err);

        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let rc = ocus_ffi::ocus_request(
            client,
            method.as_ptr().cast(),
            method.len(),
            path.as_ptr().cast(),
            path.len(),
            options,
            ptr::null(),
            &mut out,
            &mut err,
        );
        assert_ne!(rc, 0);
        settle(rc, out, err);

        let (mut cursor, mut err) = (ptr::null_mut(), ptr::null_mut());
        let rc = ocus_ffi::ocus_cursor_new(client, options, &mut cursor, &mut err);
        ocus_ffi::ocus_cursor_free(cursor);
        ocus_ffi::ocus_error_free(err);
        assert!(rc == 0 || cursor.is_null());

        let mut err = ptr::null_mut();
        let rc = ocus_ffi::ocus_client_rotate_api_key(
            client,
            secret.as_ptr().cast(),
            secret.len(),
            &mut err,
        );
        assert_ne!(rc, 0, "a closed client takes no key");
        ocus_ffi::ocus_error_free(err);

        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let rc = ocus_ffi::ocus_webhook_verify(
            body.as_ptr(),
            body.len(),
            signature.as_ptr().cast(),
            signature.len(),
            secret.as_ptr().cast(),
            secret.len(),
            &mut out,
            &mut err,
        );
        settle(rc, out, err);

        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        let rc = ocus_ffi::ocus_webhook_sign(
            body.as_ptr(),
            body.len(),
            secret.as_ptr().cast(),
            secret.len(),
            signature.as_ptr().cast(),
            signature.len(),
            &mut out,
            &mut err,
        );
        settle(rc, out, err);

        // Building a client loads the system's certificates: only for a few inputs.
        if data.first().is_some_and(|b| b % 16 == 0) {
            let (mut made, mut err) = (ptr::null_mut(), ptr::null_mut());
            let rc = ocus_ffi::ocus_client_new(options, &mut made, &mut err);
            // A client is made exactly when the call succeeds.
            assert_eq!(rc == 0, !made.is_null());
            ocus_ffi::ocus_client_free(made);
            ocus_ffi::ocus_error_free(err);
        }
    }
}

/// Any bytes as a project resource: the Rust caller's `Project` and the bindings' text agree.
pub fn project_text(data: &[u8]) {
    ocus::fuzzing::project_text_agrees(data);
}
