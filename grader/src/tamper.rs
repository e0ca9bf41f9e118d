//! The tests are the specification: finding the learner's changes to them, and learner
//! items that would change what they mean.
//!
//! The reference is the solution's `#[cfg(test)]` module (identical to the pristine
//! stub's, which `dev check` verifies). The learner's test module is the `#[cfg(test)]`
//! module of the same name (a learner's own test modules beside it are fine). Every item
//! of the reference — tests and the helpers they use — must appear unchanged in it; the
//! learner may add items. Comparison is on syntax trees, so formatting and comments do
//! not count as changes.
//!
//! A test module left byte-identical can still be made to mean something else by code
//! around it: a `macro_rules! assert_eq` above it, a `fn drop` or `enum Option` that its
//! `use super::*` pulls in over the prelude, a `#[path]` module, a constructor placed by
//! `#[link_section]`/`#[no_mangle]`/`#[used]`; or by such an item the learner adds inside
//! it. Those are findings too, with their line.
//! Pure: source text in, findings out.
//!
//! Must not: read files, start processes or print.

use std::fmt;

use syn::visit::{self, Visit};
use syn::{Attribute, Item, ItemMod, UseTree};

/// One way the learner's file departs from the pristine tests.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tampering {
    /// There is no `#[cfg(test)]` module (or it was renamed).
    MissingTestModule { module: String },
    /// A pristine item is gone.
    Removed { item: String },
    /// A pristine item is there but different.
    Changed { item: String },
    /// A learner item named like a std macro or a prelude item, which would replace it
    /// inside the tests.
    Shadows {
        item: String,
        name: String,
        line: usize,
    },
    /// An attribute or declaration that places code outside the tests' control: a
    /// constructor, an exported symbol, a module read from another file.
    Linkage {
        item: String,
        what: String,
        line: usize,
    },
}

impl Tampering {
    /// Whether this is a change to the tests themselves (which putting the pristine test
    /// module back undoes), rather than code around them that changes what they mean.
    pub fn changes_the_tests(&self) -> bool {
        matches!(
            self,
            Tampering::MissingTestModule { .. }
                | Tampering::Removed { .. }
                | Tampering::Changed { .. }
        )
    }
}

impl fmt::Display for Tampering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tampering::MissingTestModule { module } => {
                write!(f, "the test module `{module}` is missing")
            }
            Tampering::Removed { item } => write!(f, "{item} was deleted or renamed"),
            Tampering::Changed { item } => write!(f, "{item} was changed"),
            Tampering::Shadows { item, name, line } => write!(
                f,
                "{item} (line {line}) is named like the standard `{name}`, which it would \
                 replace inside the tests: rename it"
            ),
            Tampering::Linkage { item, what, line } => write!(
                f,
                "{what} on {item} (line {line}) can run or swap code outside the tests; \
                 exercises do not need it: remove it"
            ),
        }
    }
}

/// The test module of a file and the names of its tests, as libtest names them.
#[derive(Clone, Debug)]
pub struct ReferenceTests {
    module: ItemMod,
    pub tests: Vec<String>,
}

impl ReferenceTests {
    /// Reads the reference tests from the solution's source.
    pub fn from_source(source: &str) -> Result<ReferenceTests, String> {
        let file = syn::parse_file(source).map_err(|err| format!("it does not parse: {err}"))?;
        let module = test_module(&file.items)
            .cloned()
            .ok_or_else(|| "it has no `#[cfg(test)] mod tests`".to_owned())?;
        let mut tests = Vec::new();
        collect_tests(&module, &module.ident.to_string(), &mut tests);
        Ok(ReferenceTests { module, tests })
    }

    /// Whether `other` has the same tests (syntax trees: formatting and comments aside).
    pub fn same_tests(&self, other: &ReferenceTests) -> bool {
        self.module == other.module
    }

    /// What the learner's `source` changed in the reference tests. Source that does not
    /// parse has already failed to compile; it yields no findings here.
    pub fn check(&self, source: &str) -> Vec<Tampering> {
        let Ok(file) = syn::parse_file(source) else {
            return Vec::new();
        };
        let module_name = self.module.ident.to_string();
        let Some(learner) = test_module_named(&file.items, &self.module.ident) else {
            return vec![Tampering::MissingTestModule {
                module: module_name,
            }];
        };
        let learner_items = items(learner);
        let mut findings: Vec<Tampering> = items(&self.module)
            .iter()
            .filter(|expected| !learner_items.contains(expected))
            .map(|expected| {
                let item = describe(expected, &module_name);
                if learner_items.iter().any(|ours| same_name(ours, expected)) {
                    Tampering::Changed { item }
                } else {
                    Tampering::Removed { item }
                }
            })
            .collect();
        findings.extend(shadowing(&file.items, &self.module.ident));
        // Items the learner added inside the test module are in the tests' own scope.
        for added in learner_items
            .iter()
            .filter(|item| !items(&self.module).contains(item))
        {
            shadowing_in(added, true, &mut findings);
        }
        let mut linkage = LinkageFinder::default();
        linkage.visit_file(&file);
        findings.extend(linkage.findings);
        findings
    }
}

/// `learner` with the reference's test module in it, written as in `reference`: it
/// replaces the learner's module of the same name, or follows the learner's code when
/// there is none. Everything else in `learner` is kept byte for byte, so the lines of
/// compiler errors and panics are the learner's. This is how a variant of the course's
/// solutions is built (it keeps only the learner's part), and how a submission is graded
/// against the course's pristine tests, whatever it did to its own.
pub fn restore_tests(learner: &str, reference: &str) -> Result<String, String> {
    let reference_file =
        syn::parse_file(reference).map_err(|err| format!("the reference does not parse: {err}"))?;
    let module = test_module(&reference_file.items)
        .ok_or_else(|| "the reference has no `#[cfg(test)]` module".to_owned())?;
    let tests = &reference[item_range(module)];
    let learner_file =
        syn::parse_file(learner).map_err(|err| format!("it does not parse: {err}"))?;
    Ok(
        match test_module_named(&learner_file.items, &module.ident) {
            Some(theirs) => {
                let range = item_range(theirs);
                format!(
                    "{}{tests}{}",
                    &learner[..range.start],
                    &learner[range.end..]
                )
            }
            None => format!("{}\n\n{tests}\n", learner.trim_end()),
        },
    )
}

/// Whether `source` has a `#[cfg(test)]` module of its own (a source that does not parse
/// has none that could count).
pub fn has_test_module(source: &str) -> bool {
    syn::parse_file(source).is_ok_and(|file| test_module(&file.items).is_some())
}

/// The bytes of a module item in its file: from its first attribute to its closing brace
/// (or semicolon).
fn item_range(module: &ItemMod) -> std::ops::Range<usize> {
    let start = module.attrs.first().map_or_else(
        || {
            syn::spanned::Spanned::span(&module.mod_token)
                .byte_range()
                .start
        },
        |attr| attr.pound_token.span.byte_range().start,
    );
    let end = match (&module.content, &module.semi) {
        (Some((brace, _)), _) => brace.span.close().byte_range().end,
        (None, Some(semi)) => semi.span.byte_range().end,
        (None, None) => syn::spanned::Spanned::span(module).byte_range().end,
    };
    start..end
}

/// Macros of std (and its prelude) that tests use or could use.
const STD_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "panic",
    "unreachable",
    "unimplemented",
    "todo",
    "matches",
    "format",
    "format_args",
    "vec",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "dbg",
    "concat",
    "stringify",
    "line",
    "file",
    "column",
    "module_path",
    "cfg",
    "env",
    "option_env",
    "include",
    "include_str",
    "include_bytes",
    "compile_error",
    "thread_local",
    "test",
];

/// Names of the Rust prelude (2021/2024), the primitive types and the standard crates: a
/// glob import (`use super::*`) brings a learner item of such a name in over them.
const PRELUDE_NAMES: &[&str] = &[
    "Copy",
    "Send",
    "Sized",
    "Sync",
    "Unpin",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
    "drop",
    "align_of",
    "align_of_val",
    "size_of",
    "size_of_val",
    "Box",
    "ToOwned",
    "Clone",
    "PartialEq",
    "PartialOrd",
    "Eq",
    "Ord",
    "AsRef",
    "AsMut",
    "Into",
    "From",
    "Default",
    "Iterator",
    "Extend",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "ToString",
    "Vec",
    "TryFrom",
    "TryInto",
    "FromIterator",
    "Future",
    "IntoFuture",
    "bool",
    "char",
    "str",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "f32",
    "f64",
    "std",
    "core",
    "alloc",
];

/// Learner items outside the test module named like std macros or prelude items. Type and
/// value items count at the top level (what `use super::*` brings in); `macro_rules!`
/// anywhere outside the test module (textual scope, `#[macro_export]`).
fn shadowing(top: &[Item], tests: &syn::Ident) -> Vec<Tampering> {
    let mut findings = Vec::new();
    for item in top {
        if matches!(item, Item::Mod(module) if module.ident == *tests && module.attrs.iter().any(is_cfg_test))
        {
            continue;
        }
        shadowing_in(item, true, &mut findings);
    }
    findings
}

fn shadowing_in(item: &Item, top_level: bool, findings: &mut Vec<Tampering>) {
    let mut flag = |kind: &str, ident: &syn::Ident, names: &[&str]| {
        let name = ident.to_string();
        if names.contains(&name.as_str()) {
            findings.push(Tampering::Shadows {
                item: format!("{kind} `{name}`"),
                name: if names == STD_MACROS {
                    format!("{name}!")
                } else {
                    name
                },
                line: ident.span().start().line,
            });
        }
    };
    match item {
        Item::Macro(item) if item.mac.path.is_ident("macro_rules") => {
            if let Some(ident) = &item.ident {
                flag("macro_rules!", ident, STD_MACROS);
            }
        }
        Item::Mod(module) => {
            if top_level {
                flag("mod", &module.ident, PRELUDE_NAMES);
            }
            for inner in items(module) {
                shadowing_in(inner, false, findings);
            }
        }
        Item::Use(item) if top_level => {
            let mut named = Vec::new();
            use_names(&item.tree, None, &mut named);
            for ident in named {
                flag("use", ident, STD_MACROS);
                flag("use", ident, PRELUDE_NAMES);
            }
        }
        Item::ExternCrate(item) if top_level => {
            if let Some((_, rename)) = &item.rename {
                flag("extern crate", rename, PRELUDE_NAMES);
            }
        }
        _ if top_level => {
            let kind = match item {
                Item::Fn(_) => "fn",
                Item::Struct(_) => "struct",
                Item::Enum(_) => "enum",
                Item::Const(_) => "const",
                Item::Static(_) => "static",
                Item::Type(_) => "type",
                Item::Trait(_) => "trait",
                Item::Union(_) => "union",
                _ => return,
            };
            if let Some(ident) = item_ident(item) {
                flag(kind, ident, PRELUDE_NAMES);
            }
        }
        _ => {}
    }
}

/// The names a `use` brings into scope that could stand for something other than std's
/// item of that name: anything imported from outside `std`/`core`/`alloc`, and anything
/// renamed to a new name. (`use std::panic;` or `use std::fmt::Result;` are std's own.)
fn use_names<'a>(tree: &'a UseTree, root: Option<&syn::Ident>, out: &mut Vec<&'a syn::Ident>) {
    let from_std = root.is_some_and(|root| root == "std" || root == "core" || root == "alloc");
    match tree {
        UseTree::Path(path) => use_names(&path.tree, root.or(Some(&path.ident)), out),
        UseTree::Name(name) if !from_std => out.push(&name.ident),
        UseTree::Rename(rename) if !from_std || rename.rename != rename.ident => {
            out.push(&rename.rename);
        }
        UseTree::Group(group) => group
            .items
            .iter()
            .for_each(|tree| use_names(tree, root, out)),
        UseTree::Name(_) | UseTree::Rename(_) | UseTree::Glob(_) => {}
    }
}

fn item_ident(item: &Item) -> Option<&syn::Ident> {
    Some(match item {
        Item::Fn(item) => &item.sig.ident,
        Item::Struct(item) => &item.ident,
        Item::Enum(item) => &item.ident,
        Item::Const(item) => &item.ident,
        Item::Static(item) => &item.ident,
        Item::Type(item) => &item.ident,
        Item::Mod(item) => &item.ident,
        Item::Trait(item) => &item.ident,
        Item::Union(item) => &item.ident,
        _ => return None,
    })
}

/// Attributes that place code or symbols where the linker or loader, not the tests,
/// decides when they run; `#[path]`, which reads a module from another file.
const LINKAGE_ATTRIBUTES: &[&str] = &[
    "no_mangle",
    "export_name",
    "link_section",
    "used",
    "link_name",
    "path",
];

/// Symbols an `extern` block must not declare: the program's entry and constructors.
const ENTRY_SYMBOLS: &[&str] = &["main", "_start", "_init", "_fini", "__libc_start_main"];

/// Walks the whole file (function bodies, impls and the test module included).
#[derive(Default)]
struct LinkageFinder {
    /// The innermost named item being visited.
    context: Vec<String>,
    findings: Vec<Tampering>,
}

impl LinkageFinder {
    fn item(&self) -> String {
        self.context
            .last()
            .map_or_else(|| "the file".to_owned(), |name| format!("`{name}`"))
    }

    fn push(&mut self, what: String, line: usize) {
        let item = self.item();
        self.findings.push(Tampering::Linkage { item, what, line });
    }
}

impl<'ast> Visit<'ast> for LinkageFinder {
    fn visit_item(&mut self, item: &'ast Item) {
        let name = match item {
            Item::Impl(_) => None,
            _ => name_of(item),
        };
        if let Some(name) = &name {
            self.context.push(name.clone());
        }
        visit::visit_item(self, item);
        if name.is_some() {
            self.context.pop();
        }
    }

    fn visit_impl_item_fn(&mut self, function: &'ast syn::ImplItemFn) {
        self.context.push(function.sig.ident.to_string());
        visit::visit_impl_item_fn(self, function);
        self.context.pop();
    }

    fn visit_attribute(&mut self, attr: &'ast Attribute) {
        let path = attr.path();
        let line = path
            .segments
            .first()
            .map_or(0, |segment| segment.ident.span().start().line);
        let named = |ident: &syn::Ident| LINKAGE_ATTRIBUTES.iter().any(|name| ident == name);
        if let Some(ident) = path.get_ident()
            && named(ident)
        {
            self.push(format!("`#[{ident}]`"), line);
        } else if path.is_ident("unsafe") || path.is_ident("cfg_attr") {
            // `#[unsafe(no_mangle)]`, `#[cfg_attr(all(), link_section = "...")]`.
            if let syn::Meta::List(list) = &attr.meta {
                let hidden = idents(list.tokens.clone())
                    .into_iter()
                    .find(|ident| named(ident));
                if let Some(ident) = hidden {
                    self.push(
                        format!("`#[{}(... {ident} ...)]`", path.segments[0].ident),
                        line,
                    );
                }
            }
        }
        visit::visit_attribute(self, attr);
    }

    fn visit_foreign_item_fn(&mut self, function: &'ast syn::ForeignItemFn) {
        let ident = &function.sig.ident;
        if ENTRY_SYMBOLS.iter().any(|name| ident == name) {
            self.push(
                format!("an `extern` declaration of `{ident}`"),
                ident.span().start().line,
            );
        }
        visit::visit_foreign_item_fn(self, function);
    }

    fn visit_foreign_item_static(&mut self, item: &'ast syn::ForeignItemStatic) {
        let ident = &item.ident;
        if ENTRY_SYMBOLS.iter().any(|name| ident == name) {
            self.push(
                format!("an `extern` declaration of `{ident}`"),
                ident.span().start().line,
            );
        }
        visit::visit_foreign_item_static(self, item);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if let Some(last) = mac.path.segments.last()
            && last.ident == "global_asm"
        {
            self.push("`global_asm!`".to_owned(), last.ident.span().start().line);
        }
        visit::visit_macro(self, mac);
    }
}

/// Every identifier in a token stream, groups included.
fn idents(tokens: proc_macro2::TokenStream) -> Vec<syn::Ident> {
    let mut out = Vec::new();
    for token in tokens {
        match token {
            proc_macro2::TokenTree::Ident(ident) => out.push(ident),
            proc_macro2::TokenTree::Group(group) => out.extend(idents(group.stream())),
            _ => {}
        }
    }
    out
}

fn items(module: &ItemMod) -> &[Item] {
    module
        .content
        .as_ref()
        .map_or(&[], |(_, items)| items.as_slice())
}

/// The learner's test module: the `#[cfg(test)]` module named like the reference's.
fn test_module_named<'a>(items: &'a [Item], name: &syn::Ident) -> Option<&'a ItemMod> {
    items.iter().find_map(|item| match item {
        Item::Mod(module) if module.ident == *name && module.attrs.iter().any(is_cfg_test) => {
            Some(module)
        }
        _ => None,
    })
}

fn test_module(items: &[Item]) -> Option<&ItemMod> {
    items.iter().find_map(|item| match item {
        Item::Mod(module) if module.attrs.iter().any(is_cfg_test) => Some(module),
        _ => None,
    })
}

fn is_cfg_test(attr: &Attribute) -> bool {
    attr.path().is_ident("cfg")
        && attr
            .parse_args::<syn::Ident>()
            .is_ok_and(|ident| ident == "test")
}

fn is_test_fn(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "test")
    })
}

fn collect_tests(module: &ItemMod, prefix: &str, tests: &mut Vec<String>) {
    for item in items(module) {
        match item {
            Item::Fn(function) if is_test_fn(&function.attrs) => {
                tests.push(format!("{prefix}::{}", function.sig.ident));
            }
            Item::Mod(inner) => {
                collect_tests(inner, &format!("{prefix}::{}", inner.ident), tests);
            }
            _ => {}
        }
    }
}

fn name_of(item: &Item) -> Option<String> {
    Some(match item {
        Item::Fn(item) => item.sig.ident.to_string(),
        Item::Struct(item) => item.ident.to_string(),
        Item::Enum(item) => item.ident.to_string(),
        Item::Const(item) => item.ident.to_string(),
        Item::Static(item) => item.ident.to_string(),
        Item::Type(item) => item.ident.to_string(),
        Item::Mod(item) => item.ident.to_string(),
        Item::Trait(item) => item.ident.to_string(),
        Item::Union(item) => item.ident.to_string(),
        _ => return None,
    })
}

fn same_name(a: &Item, b: &Item) -> bool {
    name_of(a).is_some_and(|name| Some(name) == name_of(b))
}

fn describe(item: &Item, module: &str) -> String {
    match (item, name_of(item)) {
        (Item::Fn(function), Some(name)) if is_test_fn(&function.attrs) => {
            format!("test `{module}::{name}`")
        }
        (_, Some(name)) => format!("`{module}::{name}`"),
        (_, None) => {
            let text = quote::ToTokens::to_token_stream(item).to_string();
            let short: String = text.chars().take(60).collect();
            format!("`{short}` in `{module}`")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOLUTION: &str = r#"
pub fn answer() -> u32 { 42 }

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> u32 { 40 + 2 }

    #[test]
    fn answers() { assert_eq!(answer(), helper()); }

    #[test]
    fn still_answers() { assert!(answer() > 0); }
}
"#;

    #[test]
    fn restoring_tests_replaces_the_learners_module_and_keeps_their_code_byte_for_byte() {
        // Non-ASCII before the module: the splice works in bytes, not characters.
        let learner = "// é → ü\npub fn answer() -> u32 { 6 * 7 }\n\n/// mine\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn gone() {}\n}\n\nfn after() {}\n";
        let restored = restore_tests(learner, SOLUTION).unwrap();
        let module = &SOLUTION[SOLUTION.find("#[cfg(test)]").unwrap()..].trim_end();
        assert_eq!(
            restored,
            format!(
                "// é → ü\npub fn answer() -> u32 {{ 6 * 7 }}\n\n{module}\n\nfn after() {{}}\n"
            )
        );
        assert!(spec().check(&restored).is_empty());
    }

    #[test]
    fn restoring_tests_appends_them_to_a_file_without_any() {
        let learner = "// ALT: another way\npub fn answer() -> u32 { 41 + 1 }\n\n\n";
        let restored = restore_tests(learner, SOLUTION).unwrap();
        assert!(restored.starts_with(
            "// ALT: another way\npub fn answer() -> u32 { 41 + 1 }\n\n#[cfg(test)]\nmod tests {\n"
        ));
        assert!(restored.ends_with("}\n"));
        assert!(has_test_module(&restored) && !has_test_module(learner));
        // A module of another name is the learner's own: the tests are added beside it.
        let own = "fn main() {}\n#[cfg(test)]\nmod mine {}\n";
        let restored = restore_tests(own, SOLUTION).unwrap();
        assert!(restored.contains("mod mine {}") && spec().check(&restored).is_empty());
        assert!(
            restore_tests("fn (", SOLUTION)
                .unwrap_err()
                .starts_with("it does not parse")
        );
        assert!(restore_tests("fn main() {}", "fn main() {}").is_err());
    }

    fn spec() -> ReferenceTests {
        ReferenceTests::from_source(SOLUTION).unwrap()
    }

    #[test]
    fn test_names_are_libtest_paths() {
        assert_eq!(spec().tests, ["tests::answers", "tests::still_answers"]);
    }

    #[test]
    fn the_pristine_file_and_reformatting_are_fine() {
        assert!(spec().check(SOLUTION).is_empty());
        let reformatted = SOLUTION
            .replace(
                "{ 40 + 2 }",
                "{\n        // a comment\n        40 + 2\n    }",
            )
            .replace(
                "pub fn answer() -> u32 { 42 }",
                "pub fn answer() -> u32 { 6 * 7 }",
            );
        assert!(spec().check(&reformatted).is_empty());
    }

    #[test]
    fn added_tests_are_fine() {
        let added = SOLUTION.replace("fn helper()", "#[test] fn mine() {}\n    fn helper()");
        assert!(spec().check(&added).is_empty());
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let cases = [
            (
                SOLUTION.replace("fn still_answers", "fn renamed"),
                Tampering::Removed {
                    item: "test `tests::still_answers`".into(),
                },
            ),
            (
                SOLUTION.replace("40 + 2", "answer()"),
                Tampering::Changed {
                    item: "`tests::helper`".into(),
                },
            ),
            (
                SOLUTION.replace(
                    "#[test]\n    fn answers",
                    "#[test]\n    #[ignore]\n    fn answers",
                ),
                Tampering::Changed {
                    item: "test `tests::answers`".into(),
                },
            ),
            (
                SOLUTION.replace("use super::*;", ""),
                Tampering::Removed {
                    item: "`use super :: * ;` in `tests`".into(),
                },
            ),
            (
                SOLUTION.replace("#[cfg(test)]", ""),
                Tampering::MissingTestModule {
                    module: "tests".into(),
                },
            ),
        ];
        for (source, expected) in cases {
            assert_eq!(spec().check(&source), vec![expected]);
        }
    }

    /// The solution with `learner` inserted above the test module.
    fn with_above_tests(learner: &str) -> String {
        SOLUTION.replace("#[cfg(test)]", &format!("{learner}\n#[cfg(test)]"))
    }

    fn shadows(source: &str) -> Vec<(String, String)> {
        spec()
            .check(source)
            .into_iter()
            .map(|finding| match finding {
                Tampering::Shadows { item, name, .. } => (item, name),
                other => panic!("not a shadowing finding: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_macro_named_like_a_std_assertion_is_tampering_with_its_line() {
        let source = with_above_tests(
            "macro_rules! assert_eq { ($($t:tt)*) => {}; }\nmacro_rules! my_own { () => {}; }",
        );
        let findings = spec().check(&source);
        assert_eq!(
            findings,
            vec![Tampering::Shadows {
                item: "macro_rules! `assert_eq`".into(),
                name: "assert_eq!".into(),
                line: 4,
            }]
        );
        assert!(
            findings[0]
                .to_string()
                .contains("is named like the standard `assert_eq!`")
        );
        // Nested in a module, exported to the crate root: still seen.
        let nested = with_above_tests(
            "mod sneaky { #[macro_export] macro_rules! assert { ($($t:tt)*) => {}; } }",
        );
        assert_eq!(
            shadows(&nested),
            [("macro_rules! `assert`".into(), "assert!".into())]
        );
    }

    #[test]
    fn items_and_renames_over_prelude_names_are_tampering() {
        let cases = [
            ("fn drop<T>(_: T) {}", "fn `drop`", "drop"),
            (
                "enum Option<T> { Some(T), None }",
                "enum `Option`",
                "Option",
            ),
            ("struct Vec;", "struct `Vec`", "Vec"),
            ("type u32 = u64;", "type `u32`", "u32"),
            ("use std::format as vec;", "use `vec`", "vec!"),
            ("use std::result::Result::Err as Ok;", "use `Ok`", "Ok"),
            ("use crate::inner::assert;", "use `assert`", "assert!"),
            ("trait Send {}", "trait `Send`", "Send"),
            ("extern crate core as std;", "extern crate `std`", "std"),
        ];
        for (learner, item, name) in cases {
            assert_eq!(
                shadows(&with_above_tests(learner)),
                [(item.to_owned(), name.to_owned())],
                "{learner}"
            );
        }
        // Ordinary learner code, including a fn named like a macro (another namespace).
        let fine = with_above_tests(
            "fn format(x: u32) -> String { x.to_string() }\nstruct Worker;\nuse std::sync::Arc;\nuse std::{panic, fmt::Result};\nfn helper() { let drop = 1; let _ = drop; }",
        );
        assert!(spec().check(&fine).is_empty(), "{:?}", spec().check(&fine));
    }

    #[test]
    fn shadowing_items_added_inside_the_test_module_are_tampering() {
        let inside = SOLUTION.replace(
            "    use super::*;\n",
            "    use super::*;\n    macro_rules! assert { ($($t:tt)*) => {}; }\n    fn drop(_: u32) {}\n    use std::panic;\n",
        );
        assert_eq!(
            shadows(&inside),
            [
                ("macro_rules! `assert`".into(), "assert!".into()),
                ("fn `drop`".into(), "drop".into())
            ]
        );
    }

    #[test]
    fn constructors_exported_symbols_and_path_modules_are_tampering() {
        let cases = [
            (
                "#[used]\n#[unsafe(link_section = \".init_array\")]\nstatic CTOR: extern \"C\" fn() = ctor;",
                vec!["`#[used]`", "`#[unsafe(... link_section ...)]`"],
            ),
            (
                "#[unsafe(no_mangle)]\npub extern \"C\" fn exit(_: i32) {}",
                vec!["`#[unsafe(... no_mangle ...)]`"],
            ),
            (
                "#[export_name = \"main\"]\nfn fake() {}",
                vec!["`#[export_name]`"],
            ),
            (
                "#[path = \"../../solutions/x.rs\"]\nmod other;",
                vec!["`#[path]`"],
            ),
            (
                "#[cfg_attr(all(), path = \"x.rs\")]\nmod other;",
                vec!["`#[cfg_attr(... path ...)]`"],
            ),
            (
                "unsafe extern \"C\" { fn main(); }",
                vec!["an `extern` declaration of `main`"],
            ),
            (
                "fn hidden() { #[unsafe(link_section = \".init_array\")] static X: u8 = 0; }",
                vec!["`#[unsafe(... link_section ...)]`"],
            ),
            ("std::arch::global_asm!(\"nop\");", vec!["`global_asm!`"]),
        ];
        for (learner, expected) in cases {
            let found: Vec<String> = spec()
                .check(&with_above_tests(learner))
                .into_iter()
                .map(|finding| match finding {
                    Tampering::Linkage { what, line, .. } => {
                        assert!(line >= 4, "{learner}: line {line}");
                        what
                    }
                    other => panic!("{learner}: {other:?}"),
                })
                .collect();
            assert_eq!(found, expected, "{learner}");
        }
        let finding = spec()
            .check(&with_above_tests("#[unsafe(no_mangle)]\nfn answer2() {}"))
            .remove(0);
        assert_eq!(
            finding.to_string(),
            "`#[unsafe(... no_mangle ...)]` on `answer2` (line 4) can run or swap code \
             outside the tests; exercises do not need it: remove it"
        );
    }

    #[test]
    fn the_test_module_is_found_by_name_after_a_learner_s_own() {
        let learner =
            with_above_tests("#[cfg(test)]\nmod my_tests {\n    #[test]\n    fn mine() {}\n}");
        assert!(
            spec().check(&learner).is_empty(),
            "{:?}",
            spec().check(&learner)
        );
        // A learner module cannot stand in for the reference's.
        let renamed = SOLUTION.replace("mod tests", "mod my_tests");
        assert_eq!(
            spec().check(&renamed),
            vec![Tampering::MissingTestModule {
                module: "tests".into()
            }]
        );
    }
}
