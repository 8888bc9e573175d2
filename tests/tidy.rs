//! Keeps the layering and the house rules of docs/CONTRIBUTING.md that the compiler cannot see.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn is_core(path: &Path) -> bool {
    let relative = path.strip_prefix(src()).unwrap();
    relative.starts_with("domain")
        || relative == Path::new("domain.rs")
        || relative.starts_with("events")
        || relative == Path::new("events.rs")
}

fn is_binary(path: &Path) -> bool {
    let relative = path.strip_prefix(src()).unwrap();
    relative == Path::new("main.rs") || relative == Path::new("cli.rs") || relative.starts_with("cli")
}

/// Code lines only: comments are allowed to name anything.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|line| !line.trim_start().starts_with("//"))
}

#[test]
fn the_core_does_no_io() {
    let forbidden = ["tokio", "sqlx", "reqwest", "axum", "hyper", "std::fs", "std::net", "std::process", "postgres_es"];
    for file in rust_files(&src()).into_iter().filter(|f| is_core(f)) {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in code_lines(&text) {
            for name in forbidden {
                assert!(!line.contains(&format!("{name}::")), "{} uses {name}: {line}", file.display());
            }
        }
    }
}

#[test]
fn money_in_the_core_is_never_a_float() {
    for file in rust_files(&src()).into_iter().filter(|f| is_core(f) && !f.ends_with("tests.rs")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in code_lines(&text) {
            let words: Vec<&str> = line.split(|c: char| !c.is_alphanumeric() && c != '_').collect();
            assert!(!words.contains(&"f64") && !words.contains(&"f32"), "{} has a float: {line}", file.display());
        }
    }
}

#[test]
fn only_the_binary_prints_and_uses_anyhow() {
    for file in rust_files(&src()).into_iter().filter(|f| !is_binary(f)) {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in code_lines(&text) {
            assert!(!line.contains("println!") && !line.contains("eprintln!"), "{} prints: {line}", file.display());
            assert!(!line.contains("anyhow"), "{} uses anyhow (library code has typed errors): {line}", file.display());
        }
    }
}

#[test]
fn every_module_says_what_it_is_for() {
    for file in rust_files(&src()) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("//!"), "{} has no `//!` module doc at the top", file.display());
    }
}

/// The layers table of `src/lib.rs`'s `//!`: each top-level module and the modules it may use.
fn layers() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let rows = text.lines().filter_map(|line| line.strip_prefix("//! | `"));
    rows.map(|row| {
        let (module, uses) = row.split_once('`').unwrap();
        let uses = uses.trim().trim_matches('|').split(',').map(|m| m.trim().trim_matches('`'));
        (module.to_owned(), uses.filter(|m| !m.is_empty()).map(str::to_owned).collect())
    })
    .collect()
}

/// The top-level module a file of the library belongs to; `None` for the crate root and the binary.
fn top_level_module(path: &Path) -> Option<String> {
    let relative = path.strip_prefix(src()).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main") && !is_binary(path)).then(|| name.to_owned())
}

/// The top-level modules that `line` names by a `crate::` path.
fn crate_paths(line: &str) -> impl Iterator<Item = &str> {
    line.match_indices("crate::").filter_map(|(at, _)| {
        let rest = &line[at + "crate::".len()..];
        let end =
            rest.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')).unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    })
}

#[test]
fn no_arrow_runs_back_up() {
    let layers = layers();
    let files: Vec<(String, PathBuf)> =
        rust_files(&src()).into_iter().filter_map(|f| Some((top_level_module(&f)?, f))).collect();
    let modules: BTreeSet<&str> = files.iter().map(|(m, _)| m.as_str()).collect();
    let unplaced: Vec<&&str> = modules.iter().filter(|m| !layers.contains_key(**m)).collect();
    assert!(unplaced.is_empty(), "give {unplaced:?} a row in the layers table of src/lib.rs");
    let mut back_up = Vec::new();
    for (module, file) in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for line in code_lines(&text) {
            for used in crate_paths(line).filter(|used| modules.contains(used) && used != module) {
                if !layers[module].contains(used) {
                    back_up.push(format!("{}: {module} uses {used}: {}", file.display(), line.trim()));
                }
            }
        }
    }
    assert!(back_up.is_empty(), "arrows the layers table of src/lib.rs does not allow:\n{}", back_up.join("\n"));
}

/// A conversion that cannot fail says so (`expect` with the reason, or a helper of `convert`); one
/// that can fail is an error. `unwrap_or` after `try_from` hides a failure behind a made-up value.
#[test]
fn no_conversion_hides_its_failure() {
    for file in rust_files(&src()) {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in code_lines(&text) {
            let hidden = line.find("try_from(").is_some_and(|at| line[at..].contains(").unwrap_or("));
            assert!(!hidden, "{} hides a failed conversion: {}", file.display(), line.trim());
        }
    }
}
