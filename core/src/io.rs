//! Small I/O helpers the layers above share (reading a key file or a CA bundle).

use crate::error::{Error, Result};

/// A configuration file read whole, refused when larger than `max` (so a device or a huge file
/// named by mistake fails instead of filling memory); errors name the file and what it is.
pub(crate) fn read_small_file(path: &std::path::Path, max: u64, what: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let shown = path.display();
    let failed = |e: std::io::Error| {
        Error::configuration(format!("cannot read the {what} {shown} ({})", e.kind()))
            .with_source(e)
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(max + 1).read_to_end(&mut bytes))
        .map_err(failed)?;
    if bytes.len() as u64 > max {
        return Err(Error::configuration(format!(
            "the {what} {shown} is larger than {max} bytes"
        )));
    }
    Ok(bytes)
}
