//! Every committed fuzz input (the corpora in `fuzz/corpus/<target>/` and the crashers in
//! `fuzz/regressions/<target>/`) through its target's body, on stable: what `make fuzz` found
//! once stays fixed.

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let input = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| body(&input));
            assert!(outcome.is_ok(), "{} fails again", path.display());
            count += 1;
        }
    }
    assert!(count > 0, "no committed inputs for {target}: run make fuzz");
    println!("{target}: {count} inputs replayed");
}

#[test]
fn error_body() {
    replay("error_body", ocus_fuzz::error_body);
}

#[test]
fn webhook() {
    replay("webhook", ocus_fuzz::webhook);
}

#[test]
fn options() {
    replay("options", ocus_fuzz::options);
}

#[test]
fn c_abi() {
    replay("c_abi", ocus_fuzz::c_abi);
}

#[test]
fn project_text() {
    replay("project_text", ocus_fuzz::project_text);
}
