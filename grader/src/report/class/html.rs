//! `grades.html`: one self-contained page (no script, no external file) for the
//! instructor: a students × exercises matrix coloured by verdict, each student's total,
//! each exercise's pass rate, and for every failure a link from its cell to the message
//! and details below the table.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::seconds;
use crate::gradebook::Gradebook;
use crate::verdict::VerdictKind;

const STYLE: &str = "
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2328; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: center; }
th.student, td.student { text-align: left; }
.pass { background: #dafbe1; }
.compile_error { background: #fff1c2; }
.test_failed, .crashed { background: #ffd8d3; }
.timeout { background: #e8d9ff; }
.tampered { background: #1f2328; color: #fff; }
.tampered a { color: #fff; }
.not_graded { background: #eaeef2; text-align: left; }
td.total { font-weight: bold; }
section.failure { border-left: .3rem solid #d0d7de; margin: 1rem 0; padding-left: 1rem; }
section.failure:target { border-color: #0969da; background: #ddf4ff; }
pre { white-space: pre-wrap; background: #f6f8fa; padding: .5rem; }
.legend span { padding: .1rem .5rem; margin-right: .3rem; }
";

/// The cell's class and text for a verdict.
fn cell(verdict: VerdictKind) -> (&'static str, &'static str) {
    let class = verdict.as_str();
    let label = match verdict {
        VerdictKind::Pass => "✓",
        VerdictKind::CompileError => "compile error",
        VerdictKind::TestFailed => "failed",
        VerdictKind::Timeout => "timeout",
        VerdictKind::Crashed => "crashed",
        VerdictKind::Tampered => "tampered",
    };
    (class, label)
}

pub fn render(book: &Gradebook) -> String {
    let mut page = String::new();
    let students = book.students.len();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>threadlings grades</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>threadlings grades</h1>\n<p>{students} student(s), {} exercise(s), {} point(s) \
         in all; graded in {:.1} s.</p>\n",
        book.assignment.len(),
        book.max_score(),
        seconds(book.seconds)
    );
    if !book.sandbox.is_empty() {
        let _ = writeln!(page, "<p>Sandbox: {}</p>", text(&book.sandbox.join("; ")));
    }
    page.push_str("<p class=\"legend\">");
    for verdict in [
        VerdictKind::Pass,
        VerdictKind::CompileError,
        VerdictKind::TestFailed,
        VerdictKind::Timeout,
        VerdictKind::Crashed,
        VerdictKind::Tampered,
    ] {
        let (class, _) = cell(verdict);
        let _ = write!(page, "<span class=\"{class}\">{class}</span>");
    }
    page.push_str("</p>\n<table id=\"grades\">\n<thead><tr><th class=\"student\">student</th>");
    for assigned in &book.assignment {
        let _ = write!(
            page,
            "<th title=\"{} ({} point(s))\">{}</th>",
            attr(&assigned.topic),
            assigned.points,
            text(&assigned.exercise)
        );
    }
    page.push_str("<th>total</th></tr></thead>\n<tbody>\n");
    let mut failures = String::new();
    for (s, student) in book.students.iter().enumerate() {
        let _ = write!(
            page,
            "<tr><td class=\"student\">{}</td>",
            text(&student.student)
        );
        if let Some(reason) = student.error() {
            let _ = write!(
                page,
                "<td class=\"not_graded\" colspan=\"{}\">not graded: {}</td>",
                book.assignment.len(),
                text(reason)
            );
        } else {
            for (e, assigned) in book.assignment.iter().enumerate() {
                let Some(grade) = student.grade(&assigned.exercise) else {
                    page.push_str("<td class=\"not_graded\">—</td>");
                    continue;
                };
                let (class, label) = cell(grade.verdict);
                if grade.passed() && grade.flags.is_empty() {
                    let _ = write!(page, "<td class=\"{class}\">{label}</td>");
                    continue;
                }
                let id = format!("s{s}-e{e}");
                let _ = write!(
                    page,
                    "<td class=\"{class}\" title=\"{}\"><a href=\"#{id}\">{label}</a></td>",
                    attr(&grade.message)
                );
                let _ = write!(
                    failures,
                    "<section class=\"failure\" id=\"{id}\">\n<h3>{} — {}: {}</h3>\n",
                    text(&student.student),
                    text(&assigned.exercise),
                    grade.verdict.as_str()
                );
                if !grade.message.is_empty() {
                    let _ = writeln!(failures, "<p>{}</p>", text(&grade.message));
                }
                if !grade.flags.is_empty() {
                    failures.push_str("<ul>");
                    for flag in &grade.flags {
                        let _ = write!(failures, "<li>flagged: {}</li>", text(&flag.to_string()));
                    }
                    failures.push_str("</ul>\n");
                }
                if !grade.output.is_empty() {
                    let _ = writeln!(failures, "<pre>{}</pre>", text(&grade.output));
                }
                failures.push_str("</section>\n");
            }
        }
        let _ = writeln!(
            page,
            "<td class=\"total\">{}/{}</td></tr>",
            student.score(),
            book.max_score()
        );
    }
    page.push_str("</tbody>\n<tfoot><tr><th class=\"student\">passed</th>");
    for assigned in &book.assignment {
        let (passed, graded) = book.pass_count(&assigned.exercise);
        let rate = match (passed * 100).checked_div(graded) {
            Some(percent) => format!("{passed}/{graded} ({percent}%)"),
            None => "—".to_owned(),
        };
        let _ = write!(page, "<td class=\"rate\">{rate}</td>");
    }
    page.push_str("<td></td></tr></tfoot>\n</table>\n");
    if !failures.is_empty() {
        page.push_str("<h2>Failures</h2>\n");
        page.push_str(&failures);
    }
    page.push_str("</body>\n</html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::tests::class;

    #[test]
    fn a_matrix_with_totals_rates_and_links_to_each_failure() {
        let page = render(&class());
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(
            !page.contains("<script") && !page.contains("src=") && !page.contains("href=\"http")
        );
        assert!(page.contains("<tr><td class=\"student\">ada</td><td class=\"pass\">✓</td><td class=\"pass\">✓</td><td class=\"total\">4/4</td></tr>"), "{page}");
        assert!(page.contains("<td class=\"timeout\" title=\"timed out: deadlock in tests::workers_run_at_the_same_time\"><a href=\"#s1-e0\">timeout</a></td>"), "{page}");
        assert!(
            page.contains("<section class=\"failure\" id=\"s1-e0\">"),
            "{page}"
        );
        assert!(
            page.contains("<td class=\"not_graded\" colspan=\"2\">not graded: not a checkout"),
            "{page}"
        );
        assert!(page.contains("<td class=\"rate\">1/2 (50%)</td>"), "{page}");
        // Student text is escaped everywhere.
        assert!(page.contains("bob &lt;b&gt;") && !page.contains("bob <b>"));
        assert!(page.contains("&lt;&amp;\"quoted\"&gt;"), "{page}");
    }

    /// The page as a browser renders it, in headless Chromium: a probe script appended to
    /// a copy of the page reads the laid-out table (each verdict cell painted, every
    /// link's target present, the rows and columns where they belong) and writes what it
    /// found into the DOM, which `--dump-dom` prints. Runs where `chromium` is installed;
    /// `.ci/run` installs it and sets `THREADLINGS_REQUIRE_BROWSER`, so CI never skips it.
    #[test]
    fn a_browser_paints_every_verdict_and_finds_every_link_target() {
        let browser = ["chromium", "chromium-browser", "google-chrome"]
            .into_iter()
            .find(|name| {
                std::process::Command::new(name)
                    .arg("--version")
                    .output()
                    .is_ok_and(|output| output.status.success())
            });
        let Some(browser) = browser else {
            assert!(
                std::env::var_os("THREADLINGS_REQUIRE_BROWSER").is_none(),
                "THREADLINGS_REQUIRE_BROWSER is set but no chromium is installed"
            );
            eprintln!("skipped: no chromium to render the page with");
            return;
        };
        const PROBE: &str = r##"<script>
const cells = [...document.querySelectorAll('#grades tbody td:not(.student):not(.total)')];
const unpainted = cells.filter(td => getComputedStyle(td).backgroundColor === 'rgba(0, 0, 0, 0)');
const links = [...document.querySelectorAll('#grades a[href^="#"]')];
const orphans = links.filter(a => !document.getElementById(a.getAttribute('href').slice(1)));
const rows = document.querySelectorAll('#grades tbody tr').length;
const columns = document.querySelectorAll('#grades thead th').length;
const out = document.createElement('pre');
out.id = 'probe';
out.textContent = `rows=${rows} columns=${columns} cells=${cells.length} unpainted=${unpainted.length} links=${links.length} orphans=${orphans.length}`;
document.body.appendChild(out);
</script>"##;
        let page = render(&class()).replace("</body>", &format!("{PROBE}</body>"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grades.html");
        std::fs::write(&path, page).unwrap();
        let output = std::process::Command::new(browser)
            .args(["--headless", "--disable-gpu", "--no-sandbox", "--dump-dom"])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .arg(format!("file://{}", path.display()))
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&output.stdout);
        // The probe's own source is in the DOM too: look for its output element.
        assert!(
            dom.contains(
                "<pre id=\"probe\">rows=3 columns=4 cells=5 unpainted=0 links=2 orphans=0</pre>"
            ),
            "{dom}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
