//! Single-ordering weakenings of a solution: the course's own wrong answers for
//! model-checked exercises. Pure.
//!
//! A model-checked solution claims to use the weakest orderings that are correct, and its
//! tests claim to reject anything weaker. `dev check` holds both claims to account: for
//! every `Ordering::X` in the solution's code (its test module aside), each strictly
//! weaker ordering that is valid for that operation gives one variant of the file, and
//! every variant must fail. A fence has no `Relaxed` form: its weakest variant is no fence.
//!
//! Which orderings an operation takes is decided by the method's name: `load` reads,
//! `store` writes, `compare_exchange(_weak)` and `fetch_update` have a read-modify-write
//! ordering and a failure (read) ordering, every other atomic method with an ordering is
//! a read-modify-write.
//!
//! Must not: read files, start processes or print.

use std::fmt;

use proc_macro2::Span;
use syn::spanned::Spanned as _;
use syn::visit::Visit;

/// The orderings, weakest first.
const ORDERINGS: [&str; 5] = ["Relaxed", "Release", "Acquire", "AcqRel", "SeqCst"];

/// What an ordering argument orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    Load,
    Store,
    ReadModifyWrite,
    Fence,
}

impl Operation {
    /// The orderings strictly weaker than `ordering` that this operation accepts;
    /// `None` stands for "no fence at all".
    fn weaker(self, ordering: &str) -> Vec<Option<&'static str>> {
        let weaker: &[&'static str] = match ordering {
            "SeqCst" => &["AcqRel", "Acquire", "Release", "Relaxed"],
            "AcqRel" => &["Acquire", "Release", "Relaxed"],
            "Acquire" | "Release" => &["Relaxed"],
            _ => &[],
        };
        weaker
            .iter()
            .filter_map(|candidate| match (self, *candidate) {
                (Operation::Load, "Release" | "AcqRel") => None,
                (Operation::Store, "Acquire" | "AcqRel") => None,
                (Operation::Fence, "Relaxed") => Some(None),
                _ => Some(Some(*candidate)),
            })
            .collect()
    }
}

/// One weakened copy of a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Weakening {
    /// 1-based line of the ordering that was weakened.
    pub line: usize,
    /// The call, e.g. `store`, `compare_exchange (failure)`, `fence`.
    pub operation: String,
    pub from: String,
    /// `None`: the fence was removed.
    pub to: Option<String>,
    /// The whole file, weakened.
    pub source: String,
}

impl fmt::Display for Weakening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.to {
            Some(to) => write!(
                f,
                "line {}: `{}` with {to} instead of {}",
                self.line, self.operation, self.from
            ),
            None => write!(f, "line {}: the `fence({})` removed", self.line, self.from),
        }
    }
}

/// Every single-ordering weakening of `source`'s code outside `#[cfg(test)]` items, in
/// source order.
pub fn weakenings(source: &str) -> Result<Vec<Weakening>, String> {
    let file = syn::parse_file(source).map_err(|err| {
        let at = err.span().start();
        format!("line {}: {err}", at.line)
    })?;
    let mut finder = Finder::default();
    for item in &file.items {
        if !is_test_only(item) {
            finder.visit_item(item);
        }
    }
    let lines = LineStarts::new(source);
    let mut found = Vec::new();
    for site in finder.sites {
        let Some(ordering_range) = lines.range(site.ordering) else {
            continue;
        };
        for weaker in site.operation.weaker(&site.name) {
            let (range, replacement) = match weaker {
                Some(to) => (ordering_range.clone(), to.to_owned()),
                None => {
                    let Some(call) = lines.range(site.call) else {
                        continue;
                    };
                    (call, "()".to_owned())
                }
            };
            let mut weakened = String::with_capacity(source.len());
            weakened.push_str(&source[..range.start]);
            weakened.push_str(&replacement);
            weakened.push_str(&source[range.end..]);
            found.push(Weakening {
                line: site.ordering.start().line,
                operation: site.label.clone(),
                from: site.name.clone(),
                to: weaker.map(str::to_owned),
                source: weakened,
            });
        }
    }
    Ok(found)
}

/// `#[cfg(test)]` on an item: the tests, which are the specification, not the answer.
fn is_test_only(item: &syn::Item) -> bool {
    let attrs = match item {
        syn::Item::Mod(item) => &item.attrs,
        syn::Item::Fn(item) => &item.attrs,
        syn::Item::Impl(item) => &item.attrs,
        syn::Item::Use(item) => &item.attrs,
        _ => return false,
    };
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

/// An ordering argument found in the code.
struct Site {
    /// `Relaxed`, `Release`, ...
    name: String,
    operation: Operation,
    /// What the report calls the call.
    label: String,
    /// The ordering's last path segment (what is replaced).
    ordering: Span,
    /// The whole call (what a removed fence is replaced by `()` in).
    call: Span,
}

#[derive(Default)]
struct Finder {
    sites: Vec<Site>,
}

/// `Ordering::Acquire`, `atomic::Ordering::Acquire` or a bare `Acquire`: its name and the
/// span of that last segment.
fn ordering_of(expr: &syn::Expr) -> Option<(String, Span)> {
    let syn::Expr::Path(path) = expr else {
        return None;
    };
    let segments = &path.path.segments;
    let last = segments.last()?;
    let name = last.ident.to_string();
    if !ORDERINGS.contains(&name.as_str()) {
        return None;
    }
    if segments.len() >= 2 && segments[segments.len() - 2].ident != "Ordering" {
        return None;
    }
    Some((name, last.ident.span()))
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        let count = call.args.len();
        for (index, arg) in call.args.iter().enumerate() {
            let Some((name, span)) = ordering_of(arg) else {
                continue;
            };
            let (operation, label) = match method.as_str() {
                "load" => (Operation::Load, method.clone()),
                "store" => (Operation::Store, method.clone()),
                "compare_exchange" | "compare_exchange_weak" if index + 1 == count => {
                    (Operation::Load, format!("{method} (failure)"))
                }
                "compare_exchange" | "compare_exchange_weak" => {
                    (Operation::ReadModifyWrite, format!("{method} (success)"))
                }
                "fetch_update" if index == 1 => (Operation::Load, format!("{method} (fetch)")),
                "fetch_update" => (Operation::ReadModifyWrite, format!("{method} (set)")),
                _ => (Operation::ReadModifyWrite, method.clone()),
            };
            self.sites.push(Site {
                name,
                operation,
                label,
                ordering: span,
                call: call.span(),
            });
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(function) = &*call.func
            && function.path.segments.last().is_some_and(|segment| {
                segment.ident == "fence" || segment.ident == "compiler_fence"
            })
            && let [arg] = call.args.iter().collect::<Vec<_>>().as_slice()
            && let Some((name, span)) = ordering_of(arg)
        {
            let label = function
                .path
                .segments
                .last()
                .map_or_else(|| "fence".to_owned(), |segment| segment.ident.to_string());
            self.sites.push(Site {
                name,
                operation: Operation::Fence,
                label,
                ordering: span,
                call: call.span(),
            });
        }
        syn::visit::visit_expr_call(self, call);
    }
}

/// Byte offsets of line starts, to turn spans (line, column in characters) into ranges.
struct LineStarts<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineStarts<'a> {
    fn new(source: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineStarts { source, starts }
    }

    fn offset(&self, at: proc_macro2::LineColumn) -> Option<usize> {
        let start = *self.starts.get(at.line.checked_sub(1)?)?;
        let line = &self.source[start..];
        let within = line
            .char_indices()
            .nth(at.column)
            .map_or(line.len(), |(offset, _)| offset);
        Some(start + within)
    }

    fn range(&self, span: Span) -> Option<std::ops::Range<usize>> {
        let start = self.offset(span.start())?;
        let end = self.offset(span.end())?;
        (start < end).then_some(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
fn publish(flag: &AtomicBool, count: &AtomicUsize) {
    flag.store(true, Ordering::Release);
    let _ = flag.load(Ordering::Acquire);
    count.fetch_add(1, Ordering::Relaxed);
    let _ = flag.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire);
    fence(Ordering::SeqCst);
    // Ünïcödé before it on the line: columns are characters.
    let _ = "é"; let _ = flag.swap(true, Ordering::Acquire);
}

#[cfg(test)]
mod tests {
    fn untouched(flag: &std::sync::atomic::AtomicBool) {
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}
"#;

    fn described(source: &str) -> Vec<String> {
        weakenings(source)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_strictly_weaker_valid_ordering_once_and_tests_untouched() {
        assert_eq!(
            described(SOURCE),
            [
                "line 3: `store` with Relaxed instead of Release",
                "line 4: `load` with Relaxed instead of Acquire",
                "line 6: `compare_exchange (success)` with Acquire instead of AcqRel",
                "line 6: `compare_exchange (success)` with Release instead of AcqRel",
                "line 6: `compare_exchange (success)` with Relaxed instead of AcqRel",
                "line 6: `compare_exchange (failure)` with Relaxed instead of Acquire",
                "line 7: `fence` with AcqRel instead of SeqCst",
                "line 7: `fence` with Acquire instead of SeqCst",
                "line 7: `fence` with Release instead of SeqCst",
                "line 7: the `fence(SeqCst)` removed",
                "line 9: `swap` with Relaxed instead of Acquire",
            ]
        );
    }

    #[test]
    fn each_weakening_changes_exactly_its_ordering() {
        let all = weakenings(SOURCE).unwrap();
        let store = &all[0];
        assert_eq!(
            store.source,
            SOURCE.replacen("Ordering::Release", "Ordering::Relaxed", 1)
        );
        let swap = all.last().unwrap();
        assert!(
            swap.source
                .contains(r#"let _ = "é"; let _ = flag.swap(true, Ordering::Relaxed);"#),
            "{}",
            swap.source
        );
        let removed = all.iter().find(|weakening| weakening.to.is_none()).unwrap();
        assert!(removed.source.contains("\n    ();\n"), "{}", removed.source);
        for weakening in &all {
            syn::parse_file(&weakening.source).expect("a weakening still parses");
            assert!(weakening.source.contains("Ordering::SeqCst);\n    }"));
        }
    }

    #[test]
    fn orderings_that_are_already_the_weakest_give_nothing() {
        let source = "fn f(a: &std::sync::atomic::AtomicU8) { a.fetch_sub(1, std::sync::atomic::Ordering::Relaxed); fence(Acquire); }";
        assert_eq!(described(source), ["line 1: the `fence(Acquire)` removed"]);
        assert!(weakenings("fn broken( {").is_err());
    }
}
