//! The layers of `src/` (see `src/lib.rs`): a module imports only from its own layer and the
//! layers listed for it below, and no files import each other in a cycle, directly or through
//! others. Every `use` and every path in the code that starts with `crate::`, `super::` or
//! `self::` is read with syn (comments and doc links are not imports). A new top-level module
//! fails this test until it is given a place here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Each layer and the layers it may import from (its own is always allowed).
const LAYERS: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("kernels", &["error"]),
    ("gguf", &["error"]),
    ("models", &["error", "kernels", "gguf"]),
    ("encoder", &["error", "gguf", "models"]),
    ("decoder", &["error", "kernels", "gguf", "models"]),
    ("lessons", &["error", "models", "encoder", "decoder"]),
    // Native only: the converter takes the runtime's constants, never the reverse.
    ("convert", &["error", "models", "encoder"]),
    // wasm32 only: the binding.
    (
        "wasm",
        &[
            "error", "kernels", "models", "encoder", "decoder", "lessons",
        ],
    ),
    // Helpers for unit tests (compiled for tests only), which any layer's tests may use.
    ("test_support", &[]),
];
const ANYONE_MAY_USE: &[&str] = &["test_support"];

/// The module path of a file under src/: `kernels/panel.rs` → [kernels, panel],
/// `kernels/mod.rs` → [kernels]; `lib.rs` → [].
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Every path a file names into the crate, made absolute (without the leading `crate`).
struct Imports {
    /// The module the code being visited is in: the file's, plus inline `mod` blocks.
    module: Vec<String>,
    found: Vec<Vec<String>>,
}

impl Imports {
    /// `segments` made absolute if it starts at `crate`, `super` or `self`.
    fn add(&mut self, segments: Vec<String>) {
        let mut base = match segments.first().map(String::as_str) {
            Some("crate") => Vec::new(),
            Some("self") | Some("super") => self.module.clone(),
            _ => return,
        };
        let mut rest = &segments[..];
        if rest[0] == "crate" {
            rest = &rest[1..];
        }
        while let Some(first) = rest.first() {
            match first.as_str() {
                "self" => {}
                "super" => {
                    base.pop();
                }
                _ => break,
            }
            rest = &rest[1..];
        }
        base.extend(rest.iter().filter(|s| *s != "self").cloned());
        self.found.push(base);
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut path = prefix.clone();
                path.push(n.ident.to_string());
                self.add(path);
            }
            syn::UseTree::Rename(r) => {
                let mut path = prefix.clone();
                path.push(r.ident.to_string());
                self.add(path);
            }
            syn::UseTree::Glob(_) => self.add(prefix.clone()),
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Imports {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.add(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.module.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.module.pop();
    }
}

/// What is wrong with the import graph of these files (path relative to src/, source): each
/// import from a layer not allowed, each module outside every layer, and each cycle.
fn problems(files: &[(PathBuf, String)]) -> Vec<String> {
    let modules: BTreeSet<Vec<String>> = files.iter().map(|(p, _)| module_of(p)).collect();
    let layers: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (path, source) in files {
        let module = module_of(path);
        let Some(layer) = module.first() else {
            continue; // lib.rs: the module map
        };
        let Some(allowed) = layers.get(layer.as_str()) else {
            problems.push(format!(
                "{}: module `{layer}` is in no layer (add it to tests/layers.rs)",
                path.display()
            ));
            continue;
        };
        let file = syn::parse_file(source)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        let mut imports = Imports {
            module: module.clone(),
            found: Vec::new(),
        };
        imports.visit_file(&file);
        for target in imports.found {
            // The longest prefix of the path that is a file's module.
            let Some(target) = (1..=target.len())
                .rev()
                .map(|n| target[..n].to_vec())
                .find(|prefix| modules.contains(prefix))
            else {
                continue;
            };
            let target_layer = target[0].as_str();
            if target_layer != layer
                && !allowed.contains(&target_layer)
                && !ANYONE_MAY_USE.contains(&target_layer)
            {
                problems.push(format!(
                    "{}: `{layer}` imports `{}` from layer `{target_layer}`, which it may not \
                     use (allowed: {allowed:?})",
                    path.display(),
                    target.join("::"),
                ));
            }
            if target != module {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    problems.extend(cycles(&edges));
    problems
}

/// Each cycle in the graph, as `a → b → … → a`.
fn cycles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<String> {
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        stack: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
        found: &mut Vec<String>,
    ) {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle: Vec<String> = stack[at..].iter().map(|m| m.join("::")).collect();
            cycle.push(node.join("::"));
            found.push(format!("a cycle of imports: {}", cycle.join(" → ")));
            return;
        }
        if !done.insert(node.clone()) {
            return;
        }
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, stack, done, found);
        }
        stack.pop();
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        visit(node, edges, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

/// Every .rs file of the library (src/bin holds separate programs), relative to src/.
fn library_files(src: &Path) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, src: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != src.join("bin") {
                    walk(&path, src, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                out.push((path.strip_prefix(src).unwrap().to_path_buf(), source));
            }
        }
    }
    let mut files = Vec::new();
    walk(src, src, &mut files);
    files.sort();
    files
}

#[test]
fn no_module_imports_from_a_higher_layer_and_no_files_form_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = library_files(&src);
    assert!(files.len() > 30, "only {} files under src/", files.len());
    let problems = problems(&files);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_check_catches_an_upward_import_an_unplaced_module_and_a_cycle() {
    let file = |path: &str, source: &str| (PathBuf::from(path), source.to_string());
    let files = [
        file("lib.rs", "pub mod kernels; pub mod models; pub mod extra;"),
        file("kernels/mod.rs", "pub mod a; pub mod b;"),
        // Upward, through a grouped use and through a path in code.
        file(
            "kernels/a.rs",
            "use crate::{kernels::b::B, models::net::Net}; fn f() { crate::models::net::g(); }",
        ),
        // A cycle inside one layer: a → b → a, written relatively.
        file("kernels/b.rs", "use super::a::A;"),
        file("models/mod.rs", "pub mod net;"),
        // A test module's `use super::*` is the file itself, not an import.
        file("models/net.rs", "pub fn g() {} mod tests { use super::*; }"),
        file("extra.rs", "use crate::kernels::a::A;"),
    ];
    let problems = problems(&files);
    let has = |text: &str| problems.iter().filter(|p| p.contains(text)).count();
    assert_eq!(has("`kernels` imports `models::net`"), 2, "{problems:#?}");
    assert_eq!(has("module `extra` is in no layer"), 1, "{problems:#?}");
    assert_eq!(
        has("a cycle of imports: kernels::a → kernels::b → kernels::a"),
        1,
        "{problems:#?}"
    );
    assert_eq!(problems.len(), 4, "{problems:#?}");
}
