//! The core is layered: a module may use only modules of a lower layer, so there is no cycle
//! and the bindings' JSON adapter (`options`) stays at the top where nothing depends on it.
//! This reads the sources and fails on an import that points up or sideways.

use std::collections::BTreeMap;
use std::path::Path;

/// From the bottom up. Modules on one layer may not use each other.
const LAYERS: &[&[&str]] = &[
    &["error"],
    // Small helpers and the shared vocabulary.
    &["io", "log", "retry", "runtime", "response", "model"],
    // Every rule a value must meet: ranges, reserved headers, URLs.
    &["validate"],
    &["key"],
    &["request"],
    // The builder: settings from values and the environment.
    &["config"],
    &["client"],
    &["projects", "webhooks", "completion"],
    &["handle"],
    // The bindings' JSON option mapping: nothing below may import it.
    &["options"],
    &["fuzzing"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The crate modules a source file uses (`crate::name`, `crate::{a, b}`), outside comments and
/// its test module.
fn uses(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in source.lines() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for item in inner.split(',') {
                    let name = item.trim().split("::").next().unwrap_or("");
                    found.push(name.to_owned());
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                found.push(name);
            }
        }
    }
    found
        .into_iter()
        .filter(|n| !n.is_empty() && n.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .collect()
}

#[test]
fn every_module_uses_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let module = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if module == "lib" {
            continue; // the crate root only declares and re-exports
        }
        let Some(own) = layer_of(&module) else {
            violations.insert(module, "is in no layer: add it to LAYERS".to_owned());
            continue;
        };
        for used in uses(&std::fs::read_to_string(&path).unwrap()) {
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(layer) if layer < own => {}
                Some(_) => {
                    violations.insert(
                        format!("{module} -> {used}"),
                        "uses a module of its own or a higher layer".to_owned(),
                    );
                }
                None => {
                    violations.insert(
                        format!("{module} -> {used}"),
                        "uses a module in no layer".to_owned(),
                    );
                }
            }
        }
    }
    assert!(violations.is_empty(), "layering broken: {violations:#?}");
}

#[test]
fn the_check_sees_grouped_and_nested_uses() {
    let source = "use crate::{error::Error, client};\nfn f() { crate::options::x(); }\n// crate::handle\n#[cfg(test)]\nuse crate::fuzzing;";
    assert_eq!(uses(source), ["error", "client", "options"]);
}
