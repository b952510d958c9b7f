//! `file://` URIs ↔ paths, as editors name documents.
//!
//! Input: a path or a URI. Output: the other, or `None` for URIs that are not local files
//! (`untitled:`, remote schemes), which the server leaves alone.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

/// The `file://` URI of an absolute path (percent-encoding what URIs do not allow).
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        // Windows: `C:/x` → `file:///C:/x`
        out.push('/');
    }
    for byte in text.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

/// The path of a `file://` URI.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // Skip an authority (`file://localhost/x`).
    let rest = rest.get(rest.find('/')?..)?;
    let bytes = decode(rest)?;
    let mut text = String::from_utf8(bytes).ok()?;
    // Windows: `/C:/x` → `C:/x`
    if text.get(2..3) == Some(":") && text.starts_with('/') {
        text.remove(0);
    }
    Some(PathBuf::from(text))
}

fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_through_uris() {
        let path = Path::new("/tmp/my rules/Sarchí.meso");
        let uri = path_to_uri(path);
        assert_eq!(
            uri.as_ref().map(|u| u.as_str()),
            Some("file:///tmp/my%20rules/Sarch%C3%AD.meso")
        );
        assert_eq!(uri.and_then(|u| uri_to_path(&u)), Some(path.to_path_buf()));
    }

    #[test]
    fn other_schemes_have_no_path() {
        let uri = Uri::from_str("untitled:Untitled-1").ok();
        assert_eq!(uri.and_then(|u| uri_to_path(&u)), None);
    }
}
