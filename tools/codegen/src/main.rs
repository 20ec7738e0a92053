//! `ocus-codegen`: writes the files each language needs from the core's tables: the error kinds
//! (`ocus::ErrorKind`: name, parent, code, summary) and the options (`ocus::options::OPTIONS`:
//! names, types, defaults, limits, docs), so no binding keeps a copy of its own.
//!
//! `cargo run -p ocus-codegen` writes them; `cargo run -p ocus-codegen -- --check` (and this
//! crate's test) fails when a committed file differs from what the core says.

mod options;
mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = repository_root();
    let mut stale = Vec::new();
    for (path, content) in render::all() {
        let full = root.join(path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current == content {
            continue;
        }
        if check {
            stale.push(path);
        } else if let Err(error) = std::fs::write(&full, content) {
            eprintln!("cannot write {}: {error}", full.display());
            return ExitCode::FAILURE;
        } else {
            println!("wrote {path}");
        }
    }
    if stale.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "stale generated files (run `make generate`): {}",
            stale.join(", ")
        );
        ExitCode::FAILURE
    }
}

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_committed_generated_file_is_current() {
        let root = repository_root();
        for (path, content) in render::all() {
            let committed = std::fs::read_to_string(root.join(path)).unwrap_or_default();
            assert!(
                committed == content,
                "{path} is stale: run `make generate` and commit the result"
            );
        }
    }

    #[test]
    fn every_kind_has_a_name_in_every_language() {
        for kind in ocus::ErrorKind::ALL {
            assert!(
                render::class_name(kind, render::Lang::Python).is_some(),
                "{kind}"
            );
            assert!(
                render::class_name(kind, render::Lang::Node).is_some(),
                "{kind}"
            );
            assert!(
                render::class_name(kind, render::Lang::Kotlin).is_some(),
                "{kind}"
            );
            assert!(
                render::go_sentinel(kind).is_some() || render::GO_WITHOUT_SENTINEL.contains(&kind),
                "{kind}"
            );
        }
    }
}
