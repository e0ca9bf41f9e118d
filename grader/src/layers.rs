//! The module stack of the crate's header, checked: every module has a layer, no module
//! names one of a layer above its own (`crate::...` in code, not in comments), and the
//! modules import each other without a circle. A new module must be placed here and in
//! the picture of `lib.rs` (and CONTRIBUTING.md) before its first import compiles the
//! test green.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Each top-level module and its layer, bottom (1) to top (5), as `lib.rs` draws them.
const LAYERS: &[(usize, &[&str])] = &[
    (
        1,
        &[
            "course",
            "submission",
            "finding",
            "error",
            "tamper",
            "forbid",
            "invocation",
            "run",
        ],
    ),
    (
        2,
        &[
            "build",
            "compile_fail",
            "libtest",
            "verdict",
            "model_check",
            "weaken",
            "git",
        ],
    ),
    (3, &["engine", "program", "gradebook", "problem"]),
    (4, &["report", "progress"]),
    (
        5,
        &[
            "cli",
            "commands",
            "watch",
            "devcheck",
            "devcheck_model",
            "variants",
            "classroom",
        ],
    ),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .find(|(_, modules)| modules.contains(&module))
        .map(|(layer, _)| *layer)
}

/// Every `.rs` file under `dir`, with the top-level module it belongs to.
fn files(dir: &Path, top: Option<&str>, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let stem = name.strip_suffix(".rs").unwrap_or(&name).to_owned();
        let module = top.map_or(stem, str::to_owned);
        if path.is_dir() {
            files(&path, Some(&module), out);
        } else if name.ends_with(".rs") {
            out.push((module, fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The top-level modules `source` names as `crate::NAME`, outside comments.
fn named_modules(source: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            if !name.is_empty() {
                named.insert(name);
            }
        }
    }
    named
}

#[test]
fn every_import_points_down_the_stack_and_none_goes_round() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, None, &mut all);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (module, source) in &all {
        if matches!(module.as_str(), "lib" | "main" | "layers") {
            continue;
        }
        let Some(own) = layer_of(module) else {
            problems.push(format!(
                "`{module}` has no layer: place it in lib.rs and here"
            ));
            continue;
        };
        for named in named_modules(source) {
            if named == *module {
                continue;
            }
            match layer_of(&named) {
                Some(layer) if layer > own => {
                    problems.push(format!(
                        "`{module}` (layer {own}) uses `{named}` (layer {layer})"
                    ));
                }
                Some(_) => {
                    edges.entry(module.clone()).or_default().insert(named);
                }
                None => {}
            }
        }
    }
    // A circle among the modules: a path from a module back to itself.
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = edges[start].iter().collect();
        while let Some(next) = todo.pop() {
            if next == start {
                problems.push(format!("`{start}` imports itself through other modules"));
                break;
            }
            if seen.insert(next) {
                todo.extend(edges.get(next).into_iter().flatten());
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn an_import_in_a_comment_is_no_import() {
    let named = named_modules(
        "use crate::engine::Engine;\n/// [`crate::report::Sink`]\nfn f() { crate::run::kill(); } // crate::watch\n",
    );
    assert_eq!(named.into_iter().collect::<Vec<_>>(), ["engine", "run"]);
}
