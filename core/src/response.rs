//! What a successful call's HTTP response said besides its body: status, headers, request id.

use serde::ser::{Serialize, SerializeMap, Serializer};

/// The HTTP response a result arrived in. Carried by a project from
/// [`Projects::get_with`](crate::Projects::get_with), every [`Page`](crate::Page), and
/// [`Client::request_with_response`](crate::Client::request_with_response).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseInfo {
    /// The HTTP status (2xx).
    pub status: u16,
    /// `X-Request-Id` (or `Request-Id`), the id OCUS support asks for.
    pub request_id: Option<String>,
    /// Every header as received, in order, names in lower case (a name may repeat).
    pub headers: Vec<(String, String)>,
    /// The URL that answered (after same-origin redirects).
    pub url: String,
    /// Attempts made, the successful one included (1 when nothing was retried).
    pub attempts: u32,
}

/// Status, request id, the path (not the query string), attempts and the header *names*:
/// header values (a `set-cookie`) and query parameters stay out of debug output and logs.
impl std::fmt::Debug for ResponseInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path =
            url::Url::parse(&self.url).map_or_else(|_| String::new(), |u| u.path().to_owned());
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ResponseInfo")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("path", &path)
            .field("attempts", &self.attempts)
            .field("header_names", &names)
            .finish()
    }
}

impl ResponseInfo {
    /// A header's value (case-insensitive); repeated headers are joined with `", "` as HTTP
    /// allows for every header OCUS sends.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        let first = values.next()?;
        Some(values.fold(first.to_owned(), |joined, v| joined + ", " + v))
    }

    /// What every binding shows: `{status, request_id, url, attempts, headers: {name: value}}`
    /// with repeated headers joined.
    pub fn view(&self) -> ResponseView<'_> {
        ResponseView { response: self }
    }
}

/// The response as every binding shows it (see [`ResponseInfo::view`]).
#[derive(Debug)]
pub struct ResponseView<'a> {
    response: &'a ResponseInfo,
}

impl Serialize for ResponseView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let r = self.response;
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("status", &r.status)?;
        map.serialize_entry("request_id", &r.request_id)?;
        map.serialize_entry("url", &r.url)?;
        map.serialize_entry("attempts", &r.attempts)?;
        map.serialize_entry("headers", &Joined(&r.headers))?;
        map.end()
    }
}

/// Headers as one object, a repeated name's values joined in order.
struct Joined<'a>(&'a [(String, String)]);

impl Serialize for Joined<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut names: Vec<&str> = Vec::with_capacity(self.0.len());
        for (name, _) in self.0 {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        let mut map = serializer.serialize_map(Some(names.len()))?;
        for name in names {
            let mut values = self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v);
            let first = values.next().map(String::as_str).unwrap_or_default();
            match values.next() {
                None => map.serialize_entry(name, first)?,
                Some(second) => {
                    let joined = values.fold(format!("{first}, {second}"), |j, v| j + ", " + v);
                    map.serialize_entry(name, &joined)?
                }
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_headers_are_joined_in_order() {
        let info = ResponseInfo {
            status: 200,
            request_id: Some("req_1".into()),
            headers: vec![
                ("x-request-id".into(), "req_1".into()),
                ("vary".into(), "accept".into()),
                ("content-type".into(), "application/json".into()),
                ("vary".into(), "origin".into()),
            ],
            url: "https://api.ocus.io/v3/projects".into(),
            attempts: 2,
        };
        assert_eq!(info.header("Vary").as_deref(), Some("accept, origin"));
        assert_eq!(info.header("X-Request-Id").as_deref(), Some("req_1"));
        assert_eq!(info.header("etag"), None);
        assert_eq!(
            format!("{info:?}"),
            r#"ResponseInfo { status: 200, request_id: Some("req_1"), path: "/v3/projects", attempts: 2, header_names: ["x-request-id", "vary", "content-type", "vary"] }"#
        );
        assert_eq!(
            serde_json::to_string(&info.view()).unwrap(),
            r#"{"status":200,"request_id":"req_1","url":"https://api.ocus.io/v3/projects","attempts":2,"headers":{"x-request-id":"req_1","vary":"accept, origin","content-type":"application/json"}}"#
        );
    }
}
