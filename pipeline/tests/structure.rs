//! The shape of the workspace (issues 16 and 29): in every crate, files import each other
//! one way only and none grows past 500 lines without saying why; the crates themselves
//! depend on each other one way, in the layers `docs/architecture.md` draws.
//!
//! Imports are read as text: every `crate::`, `super::` and `self::` path (in `use`
//! statements, braces expanded, and inline), resolved to the file of the longest module
//! prefix it names. A file's unit tests (`#[cfg(test)] mod tests`) are left out: they may
//! reach into their own file. `main.rs` is the binary and imports the library by name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 500;
/// A file longer than [`MAX_LINES`] must carry this marker with its reason.
const SIZE_REASON: &str = "// longer than 500 lines because";

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The library and binary crates whose sources are checked, by folder.
const CRATES: &[&str] =
    &["retry", "schemas", "ledger", "archive", "sources", "operators", "sinks", "pipeline", "benches"];

/// Each crate's layer: a crate may depend only on crates of a lower layer.
const LAYERS: &[(&str, u32)] = &[
    ("auditflow-retry", 0),
    ("auditflow-schemas", 0),
    ("auditflow-ledger", 1),
    ("auditflow-sources", 1),
    ("auditflow-operators", 1),
    ("auditflow-archive", 2),
    ("auditflow-sinks", 3),
    ("auditflow", 4),
    ("auditflow-benches", 5),
    ("auditflow-tests", 5),
];

/// Every `.rs` file under `dir`, as (module path, file path); `lib.rs` is the crate root.
fn modules(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().and_then(|s| s.to_str()).expect("file name").to_owned();
        if path.is_dir() {
            let mut inner = prefix.to_vec();
            inner.push(name);
            modules(&path, &inner, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = match name.as_str() {
                "lib" if prefix.is_empty() => Vec::new(),
                "main" if prefix.is_empty() => continue,
                "mod" => prefix.to_vec(),
                _ => {
                    let mut m = prefix.to_vec();
                    m.push(name);
                    m
                }
            };
            out.insert(module, path);
        }
    }
}

/// The source without its unit-test module and comments.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands a `use` tree (`a::{b, c::{d}}`) into its paths.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else { return vec![tree.to_owned()] };
    let prefix = tree[..open].trim_end_matches("::").trim();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            expand(p).into_iter().map(move |e| if e == "self" { prefix.to_owned() } else { format!("{prefix}::{e}") })
        })
        .collect()
}

/// The paths a file names: those of its `use` statements (each starts a line; external
/// crates are told apart later), then the `crate`, `super` and `self` paths written inline.
fn paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut inline = String::new();
    let mut lines = code.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let tree =
            ["use ", "pub use ", "pub(crate) use ", "pub(super) use "].iter().find_map(|k| trimmed.strip_prefix(k));
        let Some(tree) = tree else {
            inline.push_str(line);
            inline.push('\n');
            continue;
        };
        let mut statement = tree.to_owned();
        while !statement.contains(';') {
            match lines.next() {
                Some(more) => statement.push_str(more),
                None => break,
            }
        }
        let statement = statement.split(';').next().unwrap_or_default();
        found.extend(expand(statement).into_iter().map(|p| p.replace(char::is_whitespace, "")));
    }
    let bytes = inline.as_bytes();
    for root in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = inline[from..].find(root) {
            let start = from + at;
            from = start + root.len();
            let glued =
                start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || matches!(bytes[start - 1], b'_' | b':'));
            if glued {
                continue;
            }
            let len = inline[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(inline.len() - start);
            found.push(inline[start..start + len].trim_end_matches(':').to_owned());
        }
    }
    found
}

/// The module a path written in `module`'s file points into: the longest prefix that is a
/// file. `super` is the parent module, for `foo.rs` and `foo/mod.rs` alike.
fn resolve(path: &str, module: &[String], files: &BTreeMap<Vec<String>, PathBuf>) -> Option<Vec<String>> {
    let mut segments: Vec<&str> = path.split("::").collect();
    let mut absolute: Vec<String> = match segments.first() {
        Some(&"crate") => Vec::new(),
        Some(&"self") => module.to_vec(),
        Some(&"super") => {
            let mut m = module.to_vec();
            let mut ups = 0;
            while segments.get(ups) == Some(&"super") {
                ups += 1;
            }
            for _ in 0..ups {
                m.pop();
            }
            segments.drain(..ups - 1);
            m
        }
        // `use child::Item` in a module that declares `child`.
        Some(first) if files.contains_key(&[module, &[(*first).to_owned()]].concat()) => {
            segments.insert(0, "self");
            module.to_vec()
        }
        _ => return None,
    };
    absolute.extend(segments[1..].iter().map(|s| (*s).to_owned()));
    (0..=absolute.len()).rev().map(|n| absolute[..n].to_vec()).find(|m| files.contains_key(m))
}

fn name(module: &[String]) -> String {
    if module.is_empty() {
        "lib".into()
    } else {
        module.join("::")
    }
}

#[test]
fn no_import_cycle_among_the_files_of_any_crate() {
    let mut total_edges = 0;
    for krate in CRATES {
        let src = workspace().join(krate).join("src");
        let mut files = BTreeMap::new();
        modules(&src, &[], &mut files);
        assert!(!files.is_empty(), "found no modules under {}", src.display());
        total_edges += assert_no_cycle(krate, &files);
    }
    assert!(total_edges > 100, "only {total_edges} imports found: the reader of imports is broken");
}

/// Panics on an import cycle among `files` of `krate`; returns how many imports it read.
fn assert_no_cycle(krate: &str, files: &BTreeMap<Vec<String>, PathBuf>) -> usize {
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, path) in files {
        let text = std::fs::read_to_string(path).expect("read source");
        for p in paths(&code_of(&text)) {
            if let Some(target) = resolve(&p, module, files) {
                if &target != module {
                    edges.entry(module.clone()).or_default().insert(target);
                }
            }
        }
    }
    // An index (`mod.rs`, `lib.rs`) declares its children; a child that imports its index
    // back would close a cycle, and so would any longer loop. Depth-first search for one.
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next) {
                Some(1) => {
                    let from = stack.iter().position(|m| m == next).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(next, edges, state, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    let edge_count: usize = edges.values().map(BTreeSet::len).sum();
    for module in files.keys() {
        if !state.contains_key(module) {
            if let Some(cycle) = visit(module, &edges, &mut state, &mut Vec::new()) {
                let shown: Vec<String> = cycle.iter().map(|m| name(m)).collect();
                panic!("import cycle in {krate}/src: {}", shown.join(" -> "));
            }
        }
    }
    edge_count
}

#[test]
fn the_cycle_finder_sees_a_child_importing_its_index() {
    let mut files = BTreeMap::new();
    for m in [vec![], vec!["a".to_owned()], vec!["a".to_owned(), "b".to_owned()]] {
        files.insert(m, PathBuf::new());
    }
    let a = vec!["a".to_owned()];
    let ab = vec!["a".to_owned(), "b".to_owned()];
    assert_eq!(resolve("super::Thing", &ab, &files), Some(a.clone()));
    assert_eq!(resolve("crate::a::b::Thing", &a, &files), Some(ab.clone()));
    assert_eq!(resolve("b::Thing", &a, &files), Some(ab.clone()), "a child named from its index");
    assert_eq!(resolve("serde::Serialize", &a, &files), None);
    assert_eq!(expand("crate::a::{self, b::{C, D}}"), vec!["crate::a", "crate::a::b::C", "crate::a::b::D"]);
    assert_eq!(
        paths("use crate::a::{b, c};\nfn f() { crate::d::e(); }"),
        vec!["crate::a::b", "crate::a::c", "crate::d::e"]
    );
}

#[test]
fn no_file_of_any_crate_is_over_500_lines_without_a_reason() {
    let mut long = Vec::new();
    for krate in CRATES {
        let mut files = BTreeMap::new();
        modules(&workspace().join(krate).join("src"), &[], &mut files);
        long.extend(files.values().filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            let lines = text.lines().count();
            (lines > MAX_LINES && !text.contains(SIZE_REASON)).then(|| format!("{} ({lines} lines)", path.display()))
        }));
    }
    assert!(long.is_empty(), "split these files, or say why with `{SIZE_REASON} …`: {long:?}");
}

/// The `auditflow-*` crates a manifest's `[dependencies]` and `[dev-dependencies]` name.
fn internal_dependencies(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = matches!(line, "[dependencies]" | "[dev-dependencies]");
            continue;
        }
        if in_deps {
            let name = line.split(['.', '=', ' ']).next().unwrap_or_default();
            if name.starts_with("auditflow") {
                out.push(name.to_owned());
            }
        }
    }
    out
}

#[test]
fn crates_depend_on_each_other_one_way() {
    let layer = |name: &str| LAYERS.iter().find(|(n, _)| *n == name).map(|(_, l)| *l);
    let mut checked = 0;
    for krate in CRATES.iter().chain(&["tests"]) {
        let manifest = std::fs::read_to_string(workspace().join(krate).join("Cargo.toml")).expect("read manifest");
        let name = manifest
            .lines()
            .find_map(|l| l.strip_prefix("name = \""))
            .and_then(|l| l.strip_suffix('"'))
            .expect("package name");
        let own = layer(name).unwrap_or_else(|| panic!("{name} has no layer in LAYERS: place it"));
        for dep in internal_dependencies(&manifest) {
            // `auditflow = { path = "../pipeline" }` names the binary's library.
            let dep_layer = layer(&dep).unwrap_or_else(|| panic!("{name} depends on {dep}, which has no layer"));
            assert!(
                dep_layer < own,
                "{name} (layer {own}) depends on {dep} (layer {dep_layer}): dependencies point down only"
            );
            checked += 1;
        }
    }
    assert!(checked > 15, "only {checked} internal dependencies found: the manifest reader is broken");
}

/// `path:line` of every code line (comments and tests left out) of the crates `krate` keeps
/// that `matches`.
fn code_lines_where(krate: impl Fn(&str) -> bool, matches: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for name in CRATES.iter().filter(|k| krate(k)) {
        let mut files = BTreeMap::new();
        modules(&workspace().join(name).join("src"), &[], &mut files);
        for path in files.values() {
            let text = std::fs::read_to_string(path).expect("read source");
            for (n, line) in code_of(&text).lines().enumerate() {
                if matches(line) {
                    found.push(format!("{}:{}", path.display(), n + 1));
                }
            }
        }
    }
    found
}

/// A line of SQL over the ledger's evidence tables: the table's name after a keyword that
/// reads or writes it.
fn is_ledger_sql(line: &str) -> bool {
    ["audit_events", "audit_event_ids"].iter().any(|table| {
        ["FROM ", "INTO ", "COPY ", "JOIN ", "UPDATE ", "TABLE "].iter().any(|k| line.contains(&format!("{k}{table}")))
            || line.contains(&format!("(NULL::{table})"))
    })
}

#[test]
fn only_the_ledger_crate_speaks_sql_over_the_evidence_tables() {
    assert!(is_ledger_sql("  \"SELECT id FROM audit_events WHERE\""));
    assert!(!is_ledger_sql("pub const TABLE_DIR: &str = \"audit_events\";"));
    // The benchmarks and tests read the ledger to check it; the library crates go through
    // `auditflow-ledger`.
    let found = code_lines_where(|k| !matches!(k, "ledger" | "benches"), is_ledger_sql);
    assert!(found.is_empty(), "SQL over audit_events / audit_event_ids outside ledger/: {found:?}");
}

/// A line that grows a wait between attempts: a backoff written by hand.
fn grows_a_wait(line: &str) -> bool {
    let squeezed: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    ["*2).min(", ".saturating_mul(2).min(", ".mul_f64(2.0).min(", "*=2;"].iter().any(|p| squeezed.contains(p))
        && ["backoff", "delay", "wait", "retry"].iter().any(|w| squeezed.to_lowercase().contains(w))
}

#[test]
fn every_retry_waits_through_the_one_backoff() {
    assert!(grows_a_wait("backoff = (backoff * 2).min(Duration::from_secs(5));"));
    assert!(!grows_a_wait("let half = (n * 2).min(limit);"));
    let found = code_lines_where(|k| k != "retry", grows_a_wait);
    assert!(found.is_empty(), "a retry wait grown by hand outside auditflow_retry::Backoff: {found:?}");
}
