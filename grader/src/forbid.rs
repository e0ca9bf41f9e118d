//! What no exercise needs, and what classroom grading forbids: ending or starting
//! processes, files, the environment, sockets, including other files at compile time, and
//! `unsafe` outside the lessons that teach it. Each is a route to a forged result or to a
//! neighbour's files, and none is part of any lesson.
//!
//! Names are resolved by the compiler, not matched as text: `threadlings grade` compiles
//! each student's exercise with `clippy-driver` (the rustc wrapper in `run/rustc.rs`
//! switches to it) and clippy's `disallowed_methods`, `disallowed_types` and
//! `disallowed_macros` lints, configured from [`FORBIDDEN`], plus rustc's `unsafe_code`
//! (which also covers `#[no_mangle]`, `#[export_name]` and `#[link_section]`), all as
//! errors. So `use std::process as p; p::exit(0)` is caught like `std::process::exit(0)`.
//! The errors come back as compiler messages with their lint's code, and become
//! [`ForbiddenUse`]s with the student's line. Pure: tables and text in, text out.

use serde::{Deserialize, Serialize};

/// What a forbidden item is, for the clippy lint that finds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A function or method (`disallowed-methods`).
    Method,
    /// A type: every use, constructor and method of it (`disallowed-types`).
    Type,
    /// A macro (`disallowed-macros`).
    Macro,
}

/// Every forbidden item, with why no exercise needs it.
pub const FORBIDDEN: &[(Kind, &str, &str)] = &[
    (
        Kind::Method,
        "std::process::exit",
        "ends the test process, which could forge a pass",
    ),
    (Kind::Type, "std::process::Command", "starts other programs"),
    (Kind::Method, "std::env::var", "reads the environment"),
    (Kind::Method, "std::env::var_os", "reads the environment"),
    (Kind::Method, "std::env::vars", "reads the environment"),
    (Kind::Method, "std::env::vars_os", "reads the environment"),
    (Kind::Method, "std::env::set_var", "changes the environment"),
    (
        Kind::Method,
        "std::env::remove_var",
        "changes the environment",
    ),
    (
        Kind::Method,
        "std::env::args",
        "reads the test runner's arguments",
    ),
    (
        Kind::Method,
        "std::env::args_os",
        "reads the test runner's arguments",
    ),
    (
        Kind::Method,
        "std::env::current_dir",
        "looks at the file system",
    ),
    (
        Kind::Method,
        "std::env::set_current_dir",
        "moves in the file system",
    ),
    (Kind::Type, "std::fs::File", "opens files"),
    (Kind::Type, "std::fs::OpenOptions", "opens files"),
    (Kind::Method, "std::fs::read", "reads files"),
    (Kind::Method, "std::fs::read_to_string", "reads files"),
    (Kind::Method, "std::fs::read_dir", "lists folders"),
    (Kind::Method, "std::fs::write", "writes files"),
    (Kind::Method, "std::fs::copy", "copies files"),
    (Kind::Method, "std::fs::rename", "moves files"),
    (Kind::Method, "std::fs::remove_file", "deletes files"),
    (Kind::Method, "std::fs::remove_dir", "deletes folders"),
    (Kind::Method, "std::fs::remove_dir_all", "deletes folders"),
    (Kind::Method, "std::fs::create_dir", "creates folders"),
    (Kind::Method, "std::fs::create_dir_all", "creates folders"),
    (
        Kind::Method,
        "std::fs::metadata",
        "looks at the file system",
    ),
    (
        Kind::Method,
        "std::fs::symlink_metadata",
        "looks at the file system",
    ),
    (Kind::Method, "std::fs::exists", "looks at the file system"),
    (
        Kind::Method,
        "std::fs::canonicalize",
        "looks at the file system",
    ),
    (
        Kind::Method,
        "std::fs::read_link",
        "looks at the file system",
    ),
    (Kind::Method, "std::fs::hard_link", "links files"),
    (Kind::Method, "std::fs::set_permissions", "changes files"),
    (Kind::Method, "std::os::unix::fs::symlink", "links files"),
    (
        Kind::Type,
        "std::net::TcpStream",
        "opens a network connection",
    ),
    (
        Kind::Type,
        "std::net::TcpListener",
        "listens on the network",
    ),
    (Kind::Type, "std::net::UdpSocket", "opens a network socket"),
    (
        Kind::Type,
        "std::os::unix::net::UnixStream",
        "opens a socket",
    ),
    (
        Kind::Type,
        "std::os::unix::net::UnixListener",
        "listens on a socket",
    ),
    (
        Kind::Type,
        "std::os::unix::net::UnixDatagram",
        "opens a socket",
    ),
    (
        Kind::Macro,
        "std::include",
        "includes another file at compile time",
    ),
    (
        Kind::Macro,
        "std::include_str",
        "includes another file at compile time",
    ),
    (
        Kind::Macro,
        "std::include_bytes",
        "includes another file at compile time",
    ),
    (Kind::Macro, "std::env", "reads the build's environment"),
    (
        Kind::Macro,
        "std::option_env",
        "reads the build's environment",
    ),
];

/// The lint codes these come back with, and rustc's for `unsafe`.
const LINTS: &[&str] = &[
    "clippy::disallowed_methods",
    "clippy::disallowed_types",
    "clippy::disallowed_macros",
];
const UNSAFE_LINT: &str = "unsafe_code";

/// The `clippy.toml` that configures the lints (read through `CLIPPY_CONF_DIR`).
pub fn clippy_toml() -> String {
    let mut text = String::from("# Written by threadlings: what classroom grading forbids.\n");
    for (kind, key) in [
        (Kind::Method, "disallowed-methods"),
        (Kind::Type, "disallowed-types"),
        (Kind::Macro, "disallowed-macros"),
    ] {
        text.push_str(&format!("{key} = [\n"));
        for (_, path, why) in FORBIDDEN.iter().filter(|(k, ..)| *k == kind) {
            text.push_str(&format!("    {{ path = {path:?}, reason = {why:?} }},\n"));
        }
        text.push_str("]\n");
    }
    text
}

/// The compiler flags that make every forbidden use an error, and nothing else: clippy's
/// own lints are silenced. `unsafe` is allowed in lessons that teach it.
pub fn compiler_flags(allow_unsafe: bool) -> Vec<String> {
    let mut flags = vec!["-A".to_owned(), "clippy::all".to_owned()];
    for lint in LINTS {
        flags.push("-D".to_owned());
        flags.push((*lint).to_owned());
    }
    if !allow_unsafe {
        flags.push("-F".to_owned());
        flags.push(UNSAFE_LINT.to_owned());
    }
    flags
}

/// What the rustc wrapper needs to apply the policy, passed in [`POLICY_VAR`] as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The package whose crates the policy applies to (the exercises'): cargo names it
    /// in `CARGO_PKG_NAME`. Dependencies and the testkit are never checked.
    pub package: String,
    /// Where `clippy.toml` is.
    pub conf_dir: std::path::PathBuf,
    /// Crates (exercise names) whose lessons teach `unsafe`.
    pub unsafe_allowed: Vec<String>,
}

/// The environment variable that carries the [`Policy`] to the rustc wrapper.
pub const POLICY_VAR: &str = "THREADLINGS_RUSTC_POLICY";

/// Whether a lesson teaches `unsafe`: its reference solution or its stub (`source`) uses
/// the keyword (comments and strings aside).
pub fn teaches_unsafe(source: &str) -> bool {
    fn has_unsafe(tokens: proc_macro2::TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            proc_macro2::TokenTree::Ident(ident) => ident == "unsafe",
            proc_macro2::TokenTree::Group(group) => has_unsafe(group.stream()),
            _ => false,
        })
    }
    source
        .parse::<proc_macro2::TokenStream>()
        .is_ok_and(has_unsafe)
}

/// A forbidden use in a student's file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForbiddenUse {
    /// What is used: `std::process::exit`, or `unsafe`.
    pub item: String,
    pub line: usize,
    /// Why it is forbidden.
    pub why: String,
}

impl std::fmt::Display for ForbiddenUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: `{}` {}: no exercise needs it",
            self.line, self.item, self.why
        )
    }
}

/// The finding behind one compiler diagnostic, if it is one of ours: its lint `code`,
/// its `message` (`use of a disallowed method `std::process::exit``) and the line of its
/// primary span.
pub fn finding(code: &str, message: &str, line: usize) -> Option<ForbiddenUse> {
    if code == UNSAFE_LINT {
        return Some(ForbiddenUse {
            item: "unsafe".to_owned(),
            line,
            why: "lets code break the rules the tests rely on (this lesson does not teach it)"
                .to_owned(),
        });
    }
    if !LINTS.contains(&code) {
        return None;
    }
    let item = message.split('`').nth(1)?.to_owned();
    let why = FORBIDDEN
        .iter()
        .find(|(_, path, _)| *path == item)
        .map_or("is forbidden in classroom grading", |(_, _, why)| why)
        .to_owned();
    Some(ForbiddenUse { item, line, why })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clippy_configuration_lists_every_item_once_under_its_kind() {
        let config: toml::Table = clippy_toml().parse().unwrap();
        let count = |key: &str| config[key].as_array().unwrap().len();
        assert_eq!(
            count("disallowed-methods") + count("disallowed-types") + count("disallowed-macros"),
            FORBIDDEN.len()
        );
        let methods = config["disallowed-methods"].as_array().unwrap();
        assert_eq!(methods[0]["path"].as_str(), Some("std::process::exit"));
        assert!(
            methods[0]["reason"]
                .as_str()
                .unwrap()
                .contains("forge a pass")
        );
        let mut paths: Vec<&str> = FORBIDDEN.iter().map(|(_, path, _)| *path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), FORBIDDEN.len(), "no item twice");
    }

    #[test]
    fn flags_deny_our_lints_only_and_unsafe_where_not_taught() {
        let flags = compiler_flags(false).join(" ");
        assert_eq!(
            flags,
            "-A clippy::all -D clippy::disallowed_methods -D clippy::disallowed_types \
             -D clippy::disallowed_macros -F unsafe_code"
        );
        assert!(!compiler_flags(true).join(" ").contains("unsafe"));
    }

    #[test]
    fn a_lesson_teaches_unsafe_when_its_solution_uses_it() {
        assert!(teaches_unsafe("unsafe impl Send for Wrapper {}"));
        assert!(teaches_unsafe("fn f() { let x = unsafe { g() }; }"));
        assert!(!teaches_unsafe(
            "// no unsafe here\nfn f() { let s = \"unsafe\"; }"
        ));
    }

    #[test]
    fn diagnostics_become_findings_with_the_reason() {
        let exit = finding(
            "clippy::disallowed_methods",
            "use of a disallowed method `std::process::exit`",
            9,
        )
        .unwrap();
        assert_eq!(
            exit.to_string(),
            "line 9: `std::process::exit` ends the test process, which could forge a pass: \
             no exercise needs it"
        );
        let file = finding(
            "clippy::disallowed_types",
            "use of a disallowed type `std::fs::File`",
            4,
        );
        assert_eq!(file.unwrap().why, "opens files");
        assert_eq!(
            finding("unsafe_code", "usage of an `unsafe` block", 7)
                .unwrap()
                .item,
            "unsafe"
        );
        assert!(finding("E0308", "mismatched types", 1).is_none());
    }
}
