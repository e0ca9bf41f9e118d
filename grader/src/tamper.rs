//! The tests are the specification: finding the learner's changes to them.
//!
//! The reference is the solution's `#[cfg(test)]` module (identical to the pristine
//! stub's, which `dev check` verifies). Every item in it — tests and the helpers they use
//! — must appear unchanged in the learner's test module; the learner may add items.
//! Comparison is on syntax trees, so formatting and comments do not count as changes.
//! Pure: source text in, findings out.

use std::fmt;

use syn::{Attribute, Item, ItemMod};

/// One way the learner's file departs from the pristine tests.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tampering {
    /// There is no `#[cfg(test)]` module (or it was renamed).
    MissingTestModule { module: String },
    /// A pristine item is gone.
    Removed { item: String },
    /// A pristine item is there but different.
    Changed { item: String },
}

impl fmt::Display for Tampering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tampering::MissingTestModule { module } => {
                write!(f, "the test module `{module}` is missing")
            }
            Tampering::Removed { item } => write!(f, "{item} was deleted or renamed"),
            Tampering::Changed { item } => write!(f, "{item} was changed"),
        }
    }
}

/// The test module of a file and the names of its tests, as libtest names them.
#[derive(Debug)]
pub struct Spec {
    module: ItemMod,
    pub tests: Vec<String>,
}

impl Spec {
    /// Reads the reference tests from the solution's source.
    pub fn from_source(source: &str) -> Result<Spec, String> {
        let file = syn::parse_file(source).map_err(|err| format!("it does not parse: {err}"))?;
        let module = test_module(&file.items)
            .cloned()
            .ok_or_else(|| "it has no `#[cfg(test)] mod tests`".to_owned())?;
        let mut tests = Vec::new();
        collect_tests(&module, &module.ident.to_string(), &mut tests);
        Ok(Spec { module, tests })
    }

    /// What the learner's `source` changed in the reference tests. Source that does not
    /// parse has already failed to compile; it yields no findings here.
    pub fn check(&self, source: &str) -> Vec<Tampering> {
        let Ok(file) = syn::parse_file(source) else {
            return Vec::new();
        };
        let module_name = self.module.ident.to_string();
        let Some(learner) = test_module(&file.items).filter(|m| m.ident == self.module.ident)
        else {
            return vec![Tampering::MissingTestModule {
                module: module_name,
            }];
        };
        let learner_items = items(learner);
        items(&self.module)
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
            .collect()
    }
}

fn items(module: &ItemMod) -> &[Item] {
    module
        .content
        .as_ref()
        .map_or(&[], |(_, items)| items.as_slice())
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

    fn spec() -> Spec {
        Spec::from_source(SOLUTION).unwrap()
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
}
