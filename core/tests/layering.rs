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
    &["key", "telemetry"],
    &["request"],
    // The builder: settings from values and the environment.
    &["config"],
    &["client"],
    &["projects", "webhooks", "completion"],
    &["handle"],
    // The bindings' JSON option mapping: nothing below may import it.
    &["options"],
    // The bindings' call table: arguments in, views out as JSON text.
    &["call"],
    &["fuzzing"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The crate paths a source file uses (`crate::name`, `super::name` in a top-level module,
/// `crate::{a, b}` groups, also across lines), outside comments and its `mod tests`. A path
/// through a crate-root re-export (`crate::Client`) comes back as it is written, capitalised:
/// the check refuses it, since it hides which module is used.
fn uses(source: &str) -> Vec<String> {
    let mut code = String::new();
    let mut lines = source.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod tests"))
        {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        code.push_str(line);
        code.push('\n');
    }
    let code = code.replace("super::", "crate::");
    let mut found = Vec::new();
    let mut rest = code.as_str();
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
    found.into_iter().filter(|n| !n.is_empty()).collect()
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
            if used.starts_with(|c: char| c.is_ascii_uppercase()) {
                violations.insert(
                    format!("{module} -> crate::{used}"),
                    "uses a crate-root re-export: name the module".to_owned(),
                );
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
fn the_check_sees_grouped_nested_and_indirect_uses() {
    let source = "use crate::{\n    error::Error,\n    client,\n};\nfn f() { crate::options::x(); super::handle::y(); }\n// crate::handle\nuse crate::Client;\n#[cfg(test)]\nfn only_in_tests() { crate::log::z(); }\n#[cfg(test)]\nmod tests {\n    use crate::fuzzing;\n}\n";
    assert_eq!(
        uses(source),
        ["error", "client", "options", "handle", "Client", "log"]
    );
}
