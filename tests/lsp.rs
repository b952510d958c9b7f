//! `meso lsp` over its protocol: spawn the server, speak LSP with Content-Length framing on
//! its stdin/stdout, and check diagnostics, hover, definition and completion.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

mod common;

use common::{meso_command, temp_dir};

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = meso_command()
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("meso lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let message: Value = serde_json::from_slice(&body).expect("JSON body");
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Send a request and wait for its response (notifications on the way are skipped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = self.wait_for(|m| m["id"] == json!(id));
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn wait_for(&mut self, mut wanted: impl FnMut(&Value) -> bool) -> Value {
        loop {
            let message = match self.messages.recv_timeout(Duration::from_secs(30)) {
                Ok(message) => message,
                Err(e) => panic!(
                    "no answer from the server ({e}); server status: {:?}",
                    self.child.try_wait()
                ),
            };
            if wanted(&message) {
                return message;
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let message = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

const VOCABULARY: &str = r#"fact firms: count {
  description "Number of firms in the agglomeration"
  unit "firms"
}
fact trust: level low < medium < high {
  description "Trust between the firms"
}
param min_firms = 50 {
  description "Fewest firms of a sizable agglomeration"
  cite "Altenburg & Meyer-Stamer 1999, §2"
}
"#;

const TYPES_OK: &str = r#"type cluster {
  cite "Altenburg & Meyer-Stamer 1999, §2"
  required { sizable: firms >= min_firms }
  indicative { trusting: trust >= medium }
}
"#;

const TYPES_TYPO: &str = r#"type cluster {
  cite "Altenburg & Meyer-Stamer 1999, §2"
  required { sizable: firms >= min_firms }
  indicative { trusting: trsut >= medium }
}
"#;

fn position_of(text: &str, needle: &str, extra: usize) -> Value {
    let offset = text.find(needle).expect("needle in text") + extra;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .encode_utf16()
        .count();
    json!({ "line": line, "character": column })
}

#[test]
fn language_server_speaks_the_protocol() {
    let dir = temp_dir();
    let root = dir.path().canonicalize().expect("canonical");
    std::fs::write(root.join("vocabulary.meso"), VOCABULARY).expect("write");
    std::fs::write(root.join("types.meso"), TYPES_OK).expect("write");
    let types_uri = uri(&root.join("types.meso"));
    let vocabulary_uri = uri(&root.join("vocabulary.meso"));

    let mut client = Client::start();
    let init = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": uri(&root), "capabilities": {} }),
    );
    assert_eq!(init["capabilities"]["hoverProvider"], json!(true), "{init}");
    assert_eq!(init["serverInfo"]["name"], json!("meso"));
    client.notify("initialized", json!({}));

    // An edited file with a typo: diagnostics come from the unsaved text.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": types_uri, "languageId": "meso", "version": 1, "text": TYPES_TYPO
        }}),
    );
    let diagnostics = client.diagnostics(&types_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], json!("meso::check::undefined_name"));
    assert_eq!(d["severity"], json!(1));
    assert_eq!(d["source"], json!("meso"));
    assert_eq!(
        d["range"]["start"],
        position_of(TYPES_TYPO, "trsut", 0),
        "{d}"
    );
    let message = d["message"].as_str().unwrap_or("");
    assert!(message.contains("`trsut`"), "{message}");
    assert!(message.contains("help: did you mean `trust`?"), "{message}");

    // A syntax error.
    let broken = TYPES_OK.replace("firms >= min_firms", "firms >= ");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": types_uri, "version": 2 },
                "contentChanges": [{ "text": broken }] }),
    );
    let diagnostics = client.diagnostics(&types_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(
        diagnostics[0]["code"],
        json!("meso::parse::unexpected_token")
    );

    // Fixed: the diagnostics are cleared.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": types_uri, "version": 3 },
                "contentChanges": [{ "text": TYPES_OK }] }),
    );
    assert_eq!(client.diagnostics(&types_uri), Vec::<Value>::new());

    // Hover on a fact used in another file shows its declaration.
    let at = |needle: &str| json!({ "textDocument": { "uri": types_uri }, "position": position_of(TYPES_OK, needle, 1) });
    let hover = client.request("textDocument/hover", at("trust >="));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.contains("fact trust: level low < medium < high"),
        "{text}"
    );
    assert!(text.contains("Trust between the firms"), "{text}");
    let hover = client.request("textDocument/hover", at("min_firms }"));
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.contains("param min_firms = 50"), "{text}");
    assert!(
        text.contains("cite: Altenburg & Meyer-Stamer 1999, §2"),
        "{text}"
    );

    // Go to definition, across files.
    let location = client.request("textDocument/definition", at("min_firms }"));
    assert_eq!(location["uri"], json!(vocabulary_uri), "{location}");
    assert_eq!(
        location["range"]["start"],
        position_of(VOCABULARY, "min_firms", 0)
    );
    let location = client.request("textDocument/definition", at("firms >="));
    assert_eq!(
        location["range"]["start"],
        position_of(VOCABULARY, "firms", 0)
    );

    // Completion: names in an expression, levels after a comparison with a level fact.
    let labels = |result: &Value| -> Vec<String> {
        result
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["label"].as_str().map(String::from))
            .collect()
    };
    let names = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": types_uri },
                "position": position_of(TYPES_OK, "firms >=", 0) }),
    );
    let names = labels(&names);
    for expected in ["firms", "trust", "min_firms"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let levels = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": types_uri },
                "position": position_of(TYPES_OK, "medium }", 0) }),
    );
    assert_eq!(labels(&levels), ["low", "medium", "high"]);

    // Shutdown and exit.
    let result = client.request("shutdown", Value::Null);
    assert_eq!(result, Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().expect("the server exits");
    assert!(status.success(), "{status:?}");
}

mod library {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use super::common::temp_dir;

    use meso::lsp::analysis::{analyze, rule_set_root, Document};

    fn doc(path: &str, text: &str) -> Document {
        Document {
            path: PathBuf::from(path),
            text: text.to_string(),
        }
    }

    /// Rename in the shipped rule set, one symbol of each kind after the other, writing the
    /// edits to a copy: `meso check` and `meso test` still pass, and every old name is gone.
    #[test]
    fn renames_in_the_shipped_rule_set_keep_it_checking_and_its_tests_passing() {
        use meso::lsp::analysis::rule_set_documents;
        use meso::lsp::features;

        let tmp = temp_dir();
        let root = tmp.path().canonicalize().expect("canonical");
        for doc in rule_set_documents(&super::common::root().join("rules"), &HashMap::new()) {
            let name = doc.path.file_name().expect("file name");
            std::fs::write(root.join(name), doc.text).expect("write");
        }
        // (file, the text before the name, the name, its new name)
        let renames = [
            ("vocabulary.meso", "fact ", "firms", "firm_count"),
            ("vocabulary.meso", "fact ", "trust", "mutual_trust"),
            (
                "vocabulary.meso",
                "fact mutual_trust: level low < ",
                "medium",
                "moderate",
            ),
            ("types.meso", "type ", "survival_cluster", "survival_type"),
            (
                "policies-general.meso",
                "policy ",
                "network_brokers_and_cooperation_incentives",
                "network_brokers",
            ),
        ];
        for (file, before, old, new) in renames {
            let documents = rule_set_documents(&root, &HashMap::new());
            let analysis = analyze(documents, &HashMap::new());
            let path = root.join(file);
            let text = std::fs::read_to_string(&path).expect("read");
            let at = text
                .find(&format!("{before}{old}"))
                .unwrap_or_else(|| panic!("`{before}{old}` in {file}"))
                + before.len();
            let line = text[..at].matches('\n').count() as u32;
            let column = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
            let edits = features::rename(
                &analysis,
                &path,
                lsp_types::Position::new(line, column),
                new,
            )
            .unwrap_or_else(|e| panic!("rename {old}: {e}"));
            assert!(edits.len() > 1, "{old} is used in other files: {edits:?}");
            for (file, list) in edits {
                let mut text = std::fs::read_to_string(&file).expect("read");
                let lines = meso::lsp::position::LineIndex::new(&text);
                let mut spans: Vec<(usize, usize)> = list
                    .iter()
                    .map(|e| {
                        (
                            lines.offset(&text, e.range.start),
                            lines.offset(&text, e.range.end),
                        )
                    })
                    .collect();
                spans.sort_unstable();
                for (start, end) in spans.into_iter().rev() {
                    assert_eq!(&text[start..end], old);
                    text.replace_range(start..end, new);
                }
                std::fs::write(&file, text).expect("write");
            }
            for command in ["check", "test"] {
                let output = super::common::meso_command()
                    .arg(command)
                    .arg(&root)
                    .output()
                    .expect("meso runs");
                assert!(
                    output.status.success(),
                    "meso {command} after renaming {old}: {}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
            }
        }
    }

    /// Every name written in the shipped rule files (outside comments and strings, and not a
    /// keyword) is found as a symbol, and nothing else is: so references and rename miss
    /// no use.
    #[test]
    fn every_name_in_the_shipped_rules_is_a_symbol() {
        use meso::lsp::analysis::rule_set_documents;
        use meso::lsp::features::named_files;
        use meso::lsp::symbols::{SymbolKind, RESERVED};

        const OTHER_WORDS: &[&str] = &[
            "number",
            "count",
            "integer",
            "ratio",
            "boolean",
            "text",
            "matched",
            "undetermined",
            "recommended",
            "avoided",
            "provisionally",
        ];
        let rules = super::common::root().join("rules");
        let analysis = analyze(rule_set_documents(&rules, &HashMap::new()), &HashMap::new());
        let files = named_files(&analysis);
        assert_eq!(files.len(), analysis.documents.len(), "every file parses");
        let mut names = 0;
        for file in files {
            let text = &file.doc.text;
            let mut words = Vec::new();
            let mut rest = text.char_indices().peekable();
            while let Some((i, c)) = rest.next() {
                if c == '#' {
                    while rest.next_if(|&(_, c)| c != '\n').is_some() {}
                } else if text[i..].starts_with("\"\"\"") {
                    rest.next();
                    rest.next();
                    while rest.peek().is_some()
                        && !text[rest.peek().unwrap().0..].starts_with("\"\"\"")
                    {
                        rest.next();
                    }
                    rest.next();
                    rest.next();
                    rest.next();
                } else if c == '"' {
                    while let Some((_, c)) = rest.next() {
                        if c == '\\' {
                            rest.next();
                        } else if c == '"' {
                            break;
                        }
                    }
                } else if c.is_alphabetic() || c == '_' {
                    let mut end = i + c.len_utf8();
                    while let Some((j, c)) = rest.next_if(|&(_, c)| c.is_alphanumeric() || c == '_')
                    {
                        end = j + c.len_utf8();
                    }
                    let word = &text[i..end];
                    if !RESERVED.contains(&word) && !OTHER_WORDS.contains(&word) {
                        words.push((i, end));
                    }
                } else if c.is_ascii_digit() {
                    while rest
                        .next_if(|&(_, c)| c.is_alphanumeric() || c == '_' || c == '.')
                        .is_some()
                    {}
                }
            }
            let found: Vec<(usize, usize)> = file.names.iter().map(|o| (o.start, o.end)).collect();
            let show = |spans: Vec<&(usize, usize)>| -> Vec<&str> {
                spans.into_iter().map(|&(s, e)| &text[s..e]).collect()
            };
            let missed: Vec<_> = words.iter().filter(|w| !found.contains(w)).collect();
            let extra: Vec<_> = found.iter().filter(|w| !words.contains(w)).collect();
            assert!(
                missed.is_empty() && extra.is_empty(),
                "{}: missed {:?}, extra {:?}",
                file.doc.path.display(),
                show(missed),
                show(extra)
            );
            assert!(
                file.names.iter().all(|o| o.kind != SymbolKind::Unknown),
                "the shipped rules declare every name they use"
            );
            names += found.len();
        }
        assert!(names > 1000, "{names}");
    }

    /// Trees of unchanged files are reused; the result is what a fresh analysis gives, also
    /// when a new file shifts the others' ids.
    #[test]
    fn reusing_unchanged_trees_gives_the_same_analysis() {
        let vocabulary = doc("/r/b.meso", super::VOCABULARY);
        let types = doc("/r/c.meso", super::TYPES_TYPO);
        let first = analyze(vec![vocabulary.clone(), types.clone()], &HashMap::new());
        let new_file = doc(
            "/r/a.meso",
            "fact openness: number {\n  description \"x\"\n}\n",
        );
        let docs = vec![new_file, vocabulary, types];
        let reused = analyze(docs.clone(), &first.parsed);
        let fresh = analyze(docs, &HashMap::new());
        assert_eq!(reused.diagnostics, fresh.diagnostics);
        assert_eq!(reused.diagnostics[2].len(), 1, "{:?}", reused.diagnostics);
        assert_eq!(
            reused.index.decls.keys().collect::<Vec<_>>(),
            fresh.index.decls.keys().collect::<Vec<_>>()
        );
        for path in ["/r/a.meso", "/r/b.meso", "/r/c.meso"] {
            let path = PathBuf::from(path);
            assert_eq!(reused.parsed[&path].tree, fresh.parsed[&path].tree);
        }
    }

    #[test]
    fn rule_set_root_climbs_while_parents_hold_rule_files() {
        let tmp = temp_dir();
        let root = tmp.path();
        for (dir, file) in [
            ("rules", "a.meso"),
            ("rules/more", "b.meso"),
            ("other", "c.meso"),
        ] {
            std::fs::create_dir_all(root.join(dir)).expect("mkdir");
            std::fs::write(root.join(dir).join(file), "").expect("write");
        }
        let workspace = vec![root.to_path_buf()];
        assert_eq!(
            rule_set_root(&root.join("rules/more/b.meso"), &workspace),
            root.join("rules")
        );
        assert_eq!(
            rule_set_root(&root.join("other/c.meso"), &workspace),
            root.join("other")
        );
        // Never above the workspace folder, even when it holds rule files itself.
        std::fs::write(root.join("top.meso"), "").expect("write");
        assert_eq!(
            rule_set_root(&root.join("rules/a.meso"), &[root.join("rules")]),
            root.join("rules")
        );
        assert_eq!(
            rule_set_root(&root.join("rules/a.meso"), &workspace),
            root.to_path_buf()
        );
    }

    #[test]
    fn a_file_that_stops_parsing_keeps_its_last_names() {
        let vocabulary = doc("/r/vocabulary.meso", super::VOCABULARY);
        let types = doc("/r/types.meso", super::TYPES_OK);
        let first = analyze(vec![vocabulary.clone(), types.clone()], &HashMap::new());
        assert!(
            first.diagnostics.iter().all(Vec::is_empty),
            "{:?}",
            first.diagnostics
        );
        assert_eq!(
            first.index.decls.get("trust").map(|d| d.type_text.clone()),
            Some(Some("level low < medium < high".to_string()))
        );
        assert_eq!(
            first
                .index
                .decls
                .get("min_firms")
                .and_then(|d| d.type_text.clone()),
            Some("number".to_string()),
            "the checker's type of a parameter"
        );

        let broken = doc("/r/vocabulary.meso", "fact firms: count {\n");
        let second = analyze(vec![broken, types], &first.parsed);
        let codes: Vec<_> = second
            .diagnostics
            .iter()
            .flatten()
            .filter_map(|d| d.code.clone())
            .collect();
        assert_eq!(
            codes.len(),
            1,
            "only the parse error, no follow-up check errors: {codes:?}"
        );
        let (path, range) = second.index.definition("trust").expect("still known");
        assert_eq!(path, PathBuf::from("/r/vocabulary.meso"));
        assert_eq!(range.start.line, 4);
        assert!(second
            .index
            .hover("medium")
            .is_some_and(|h| h.contains("level of `trust`")));

        // Still broken: the tree kept from the first analysis is passed on.
        let third = analyze(
            vec![
                doc("/r/vocabulary.meso", "fact firms: count {\n"),
                doc("/r/types.meso", super::TYPES_OK),
            ],
            &second.parsed,
        );
        assert!(third.index.definition("trust").is_some());
    }
}

/// A rule set in two files (plus tests) that uses every kind of symbol.
const FULL_VOCABULARY: &str = r#"fact firms: count {
  description "Number of firms"
}
fact trust: level low < medium < high {
  description "Trust between the firms"
}
param min_firms = 50 {
  description "Fewest firms of a sizable agglomeration"
  cite "Altenburg & Meyer-Stamer 1999, §2"
}
derived many_firms = max(firms, 0) >= min_firms {
  description "Enough firms"
}
"#;

const FULL_TYPES: &str = r#"type cluster {
  cite "Altenburg & Meyer-Stamer 1999, §2"
  required { sizable: many_firms }
  indicative { trusting: trust >= medium }
}

policy brokers {
  cite "Altenburg & Meyer-Stamer 1999, §7"
  for cluster
  when trust <= medium
  advice "Use network brokers"
}

avoid subsidies {
  cite "Altenburg & Meyer-Stamer 1999, §7"
  for cluster
  after brokers
  advice "Do not subsidise single firms"
}

test "a trusting cluster" {
  given {
    firms = 60
    trust = high
  }
  expect cluster is matched
  expect brokers is not recommended
}
"#;

/// Edits of a `TextEdit[]` applied to `text` (from the last to the first).
fn apply_edits(text: &str, edits: &Value) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap() as usize;
        let character = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let rest = &text[start..];
        let mut units = 0;
        for (i, c) in rest.char_indices() {
            if units >= character || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

/// A started, initialized client on a temporary rule set of `files`.
fn client_on(files: &[(&str, &str)]) -> (Client, tempfile::TempDir, std::path::PathBuf) {
    let dir = temp_dir();
    let root = dir.path().canonicalize().expect("canonical");
    for (name, text) in files {
        std::fs::write(root.join(name), text).expect("write");
    }
    let mut client = Client::start();
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": uri(&root), "capabilities": {} }),
    );
    client.notify("initialized", json!({}));
    (client, dir, root)
}

fn open(client: &mut Client, path: &Path, text: &str) -> Vec<Value> {
    let uri = uri(path);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "meso", "version": 1, "text": text }}),
    );
    client.diagnostics(&uri)
}

fn shut_down(mut client: Client) {
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().expect("the server exits");
    assert!(status.success(), "{status:?}");
}

#[test]
fn formatting_equals_meso_fmt_and_leaves_broken_files_alone() {
    let messy = "fact firms: count {description \"Number of firms\"}\nparam   min_firms = 50 { cite \"A 1999\" }\n";
    let (mut client, _dir, root) = client_on(&[("vocabulary.meso", messy)]);
    let path = root.join("vocabulary.meso");
    open(&mut client, &path, messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&path) },
                "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let formatted = apply_edits(messy, &edits);

    let fmt = meso_command()
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("meso fmt");
    let mut child = fmt;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(messy.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("meso fmt runs");
    assert!(output.status.success());
    assert_eq!(formatted, String::from_utf8(output.stdout).expect("UTF-8"));
    assert_ne!(formatted, messy);

    // Formatted already: no edits.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&path), "version": 2 },
                "contentChanges": [{ "text": formatted }] }),
    );
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&path) },
                "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits, json!([]));

    // A file that does not parse is left untouched, with the reason in the log.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&path), "version": 3 },
                "contentChanges": [{ "text": "fact firms: count {\n" }] }),
    );
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri(&path) },
                "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits, Value::Null);
    let log = client.wait_for(|m| m["method"] == "window/logMessage");
    let message = log["params"]["message"].as_str().unwrap_or("");
    assert!(message.contains("not formatted"), "{message}");
    shut_down(client);
}

#[test]
fn references_and_rename_across_files_and_tests() {
    let (mut client, _dir, root) = client_on(&[
        ("vocabulary.meso", FULL_VOCABULARY),
        ("types.meso", FULL_TYPES),
    ]);
    let types = root.join("types.meso");
    let vocabulary = root.join("vocabulary.meso");
    assert_eq!(open(&mut client, &types, FULL_TYPES), Vec::<Value>::new());
    let at = |text: &str, needle: &str, path: &Path| json!({ "textDocument": { "uri": uri(path) }, "position": position_of(text, needle, 1) });

    // `trust`: declared once, used in a criterion, a policy's condition and a test's given.
    let mut params = at(FULL_TYPES, "trust >=", &types);
    params["context"] = json!({ "includeDeclaration": true });
    let found = client.request("textDocument/references", params.clone());
    assert_eq!(found.as_array().map(Vec::len), Some(4), "{found:#}");
    params["context"] = json!({ "includeDeclaration": false });
    let found = client.request("textDocument/references", params);
    assert_eq!(found.as_array().map(Vec::len), Some(3), "{found:#}");

    // `brokers`: declared, in an `after` list and in an `expect` line.
    let mut params = at(FULL_TYPES, "brokers {", &types);
    params["context"] = json!({ "includeDeclaration": true });
    let found = client.request("textDocument/references", params);
    assert_eq!(found.as_array().map(Vec::len), Some(3), "{found:#}");

    // A level: in the fact's type, two conditions, a test value.
    let mut params = at(FULL_TYPES, "medium }", &types);
    params["context"] = json!({ "includeDeclaration": true });
    let found = client.request("textDocument/references", params);
    assert_eq!(found.as_array().map(Vec::len), Some(3), "{found:#}");

    // prepareRename refuses keywords and non-symbols.
    let refused = |client: &mut Client, method: &str, params: Value| -> String {
        let id = client.next_id;
        client.next_id += 1;
        client.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = client.wait_for(|m| m["id"] == json!(id));
        response["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} refused: {response}"))
            .to_string()
    };
    let reason = refused(
        &mut client,
        "textDocument/prepareRename",
        at(FULL_TYPES, "required {", &types),
    );
    assert!(reason.contains("keyword"), "{reason}");
    let reason = refused(
        &mut client,
        "textDocument/prepareRename",
        at(FULL_VOCABULARY, "max(", &vocabulary),
    );
    assert!(!reason.is_empty());
    let ok = client.request(
        "textDocument/prepareRename",
        at(FULL_TYPES, "trust >=", &types),
    );
    assert_eq!(ok["placeholder"], json!("trust"), "{ok}");

    // A clash is refused with the reason.
    let mut params = at(FULL_TYPES, "trust >=", &types);
    params["newName"] = json!("firms");
    let reason = refused(&mut client, "textDocument/rename", params);
    assert!(
        reason.contains("`firms` is already the name of the fact"),
        "{reason}"
    );
    let mut params = at(FULL_TYPES, "trust >=", &types);
    params["newName"] = json!("not");
    let reason = refused(&mut client, "textDocument/rename", params);
    assert!(reason.contains("cannot be a name"), "{reason}");

    // A criterion is renamed within its type; a sibling's name is refused.
    let mut params = at(FULL_TYPES, "sizable:", &types);
    params["newName"] = json!("big_enough");
    let edit = client.request("textDocument/rename", params);
    assert_eq!(
        edit["changes"][uri(&types)].as_array().map(Vec::len),
        Some(1),
        "{edit:#}"
    );
    let mut params = at(FULL_TYPES, "sizable:", &types);
    params["newName"] = json!("trusting");
    let reason = refused(&mut client, "textDocument/rename", params);
    assert!(
        reason.contains("already has a criterion `trusting`"),
        "{reason}"
    );

    // Rename the fact across both files, write the edits, and `meso check` passes.
    let mut params = at(FULL_TYPES, "trust >=", &types);
    params["newName"] = json!("mutual_trust");
    let edit = client.request("textDocument/rename", params);
    let changes = edit["changes"].as_object().expect("changes");
    assert_eq!(changes.len(), 2, "{edit:#}");
    for (path, text) in [(&types, FULL_TYPES), (&vocabulary, FULL_VOCABULARY)] {
        let renamed = apply_edits(text, &changes[&uri(path)]);
        let words: Vec<&str> = renamed
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .collect();
        assert!(!words.contains(&"trust"), "{renamed}");
        assert!(words.contains(&"mutual_trust"), "{renamed}");
        std::fs::write(path, renamed).expect("write");
    }
    let check = meso_command()
        .args(["check"])
        .arg(&root)
        .output()
        .expect("meso check");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let test = meso_command()
        .args(["test"])
        .arg(&root)
        .output()
        .expect("meso test");
    assert!(
        test.status.success(),
        "{}{}",
        String::from_utf8_lossy(&test.stdout),
        String::from_utf8_lossy(&test.stderr)
    );
    shut_down(client);
}

#[test]
fn quick_fix_for_a_misspelled_fact_makes_the_file_clean() {
    let (mut client, _dir, root) =
        client_on(&[("vocabulary.meso", VOCABULARY), ("types.meso", TYPES_OK)]);
    let types = root.join("types.meso");
    let diagnostics = open(&mut client, &types, TYPES_TYPO);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri(&types) },
                "range": diagnostics[0]["range"],
                "context": { "diagnostics": diagnostics } }),
    );
    let fix = actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["isPreferred"] == json!(true))
        .unwrap_or_else(|| panic!("a preferred fix in {actions:#}"));
    assert_eq!(fix["title"], json!("Change `trsut` to `trust`"));
    let fixed = apply_edits(TYPES_TYPO, &fix["edit"]["changes"][uri(&types)]);
    assert_eq!(fixed, TYPES_OK);
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&types), "version": 2 },
                "contentChanges": [{ "text": fixed }] }),
    );
    assert_eq!(client.diagnostics(&uri(&types)), Vec::<Value>::new());

    // A name close to nothing: declare it as a fact in the vocabulary.
    let unknown = TYPES_OK.replace("trust >= medium", "openness >= 2");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&types), "version": 3 },
                "contentChanges": [{ "text": unknown }] }),
    );
    let diagnostics: Vec<Value> =
        diagnostics_with_code(&mut client, &uri(&types), "meso::check::undefined_name");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let actions = code_actions(&mut client, &uri(&types), &diagnostics);
    let titles = action_titles(&actions);
    assert_eq!(titles, ["Declare fact `openness` in vocabulary.meso"]);

    // A warning: a type without `cite` gets `cite` added, or the warning allowed.
    let uncited = TYPES_OK.replace("  cite \"Altenburg & Meyer-Stamer 1999, §2\"\n", "");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&types), "version": 4 },
                "contentChanges": [{ "text": uncited }] }),
    );
    let warning = diagnostics_with_code(&mut client, &uri(&types), "meso::check::missing_cite");
    assert_eq!(warning.len(), 1);
    let actions = code_actions(&mut client, &uri(&types), &warning);
    let titles = action_titles(&actions);
    assert_eq!(
        titles,
        [
            "Add a `cite` clause",
            "Allow `missing_cite` here (`# meso: allow(missing_cite)`)"
        ]
    );
    for action in actions.as_array().into_iter().flatten() {
        let edited = apply_edits(&uncited, &action["edit"]["changes"][uri(&types)]);
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri(&types), "version": 5 },
                    "contentChanges": [{ "text": edited }] }),
        );
        let left: Vec<Value> =
            diagnostics_with_code(&mut client, &uri(&types), "meso::check::missing_cite");
        assert_eq!(left, Vec::<Value>::new(), "{edited}");
    }

    // A test value that is not a level of its fact: the closest level.
    let with_test = format!(
        "{TYPES_OK}test \"t\" {{\n  given {{\n    firms = 60\n    trust = meduim\n  }}\n  expect cluster is matched\n}}\n"
    );
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&types), "version": 6 },
                "contentChanges": [{ "text": with_test }] }),
    );
    let diagnostics = client.diagnostics(&uri(&types));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(
        diagnostics[0]["code"],
        json!("meso::check::invalid_test_value")
    );
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri(&types) },
                "range": diagnostics[0]["range"],
                "context": { "diagnostics": diagnostics } }),
    );
    assert_eq!(
        actions[0]["title"],
        json!("Change `meduim` to `medium`"),
        "{actions:#}"
    );
    let fixed = apply_edits(&with_test, &actions[0]["edit"]["changes"][uri(&types)]);
    assert_eq!(fixed, with_test.replace("meduim", "medium"));

    // A level close to none: add it to the fact's levels (in the vocabulary).
    let new_level = TYPES_OK.replace("trust >= medium", "trust >= total");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri(&types), "version": 7 },
                "contentChanges": [{ "text": new_level }] }),
    );
    let diagnostics = client.diagnostics(&uri(&types));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri(&types) },
                "range": diagnostics[0]["range"],
                "context": { "diagnostics": diagnostics } }),
    );
    assert_eq!(
        actions[0]["title"],
        json!("Add `total` to the levels of `trust` (after `high`)"),
        "{actions:#}"
    );
    let vocabulary = root.join("vocabulary.meso");
    let added = apply_edits(VOCABULARY, &actions[0]["edit"]["changes"][uri(&vocabulary)]);
    assert!(
        added.contains("fact trust: level low < medium < high < total {"),
        "{added}"
    );
    shut_down(client);
}

#[test]
fn semantic_tokens_inlay_hints_and_symbols() {
    let (mut client, _dir, root) = client_on(&[
        ("vocabulary.meso", FULL_VOCABULARY),
        ("types.meso", FULL_TYPES),
    ]);
    let types = root.join("types.meso");
    let vocabulary = root.join("vocabulary.meso");
    open(&mut client, &vocabulary, FULL_VOCABULARY);

    // Every kind of symbol gets its own token type.
    let mut kinds = std::collections::BTreeSet::new();
    for path in [&types, &vocabulary] {
        let tokens = client.request(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": uri(path) } }),
        );
        let data = tokens["data"].as_array().expect("data");
        assert_eq!(data.len() % 5, 0);
        for chunk in data.chunks(5) {
            kinds.insert(chunk[3].as_u64().unwrap());
        }
    }
    assert_eq!(kinds, (0..9).collect(), "facts, levels, parameters, derived values, types, policies, avoid items, criteria, functions");

    // A parameter's value and citation beside its use.
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri(&vocabulary) },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } } }),
    );
    let hints = hints.as_array().expect("hints");
    assert_eq!(hints.len(), 1, "{hints:#?}");
    assert_eq!(hints[0]["label"], json!("= 50"));
    assert!(hints[0]["tooltip"]
        .as_str()
        .unwrap_or("")
        .contains("cite: Altenburg & Meyer-Stamer 1999, §2"));
    assert_eq!(
        hints[0]["position"],
        position_of(FULL_VOCABULARY, "min_firms {\n  description \"Enough", 9)
    );

    // Signature help inside a call of a built-in function.
    let help = client.request(
        "textDocument/signatureHelp",
        json!({ "textDocument": { "uri": uri(&vocabulary) },
                "position": position_of(FULL_VOCABULARY, ", 0)", 2) }),
    );
    assert_eq!(
        help["signatures"][0]["label"],
        json!("max(a, b, ...)"),
        "{help}"
    );
    assert_eq!(help["activeParameter"], json!(1));

    // Workspace symbols: by part of the name, across files.
    let found = client.request("workspace/symbol", json!({ "query": "firm" }));
    let names: Vec<&str> = found
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["firms", "min_firms", "many_firms"]);
    shut_down(client);
}

/// The outline of a file as indented lines: `kind name (detail) line`.
fn outline_text(symbols: &Value, depth: usize, out: &mut String) {
    for s in symbols.as_array().into_iter().flatten() {
        let kind = match s["kind"].as_u64().unwrap_or(0) {
            5 => "class",
            6 => "method",
            7 => "property",
            8 => "field",
            12 => "function",
            14 => "constant",
            17 => "boolean",
            22 => "enum-member",
            24 => "event",
            other => panic!("unexpected symbol kind {other}"),
        };
        out.push_str(&format!(
            "{}{kind} {} ({}) line {}\n",
            "  ".repeat(depth),
            s["name"].as_str().unwrap_or(""),
            s["detail"].as_str().unwrap_or(""),
            s["selectionRange"]["start"]["line"].as_u64().unwrap_or(0) + 1
        ));
        outline_text(&s["children"], depth + 1, out);
    }
}

#[test]
fn outline_of_the_shipped_types() {
    let rules = common::root().join("rules");
    let mut client = Client::start();
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": uri(&rules), "capabilities": {} }),
    );
    client.notify("initialized", json!({}));
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri(&rules.join("types.meso")) } }),
    );
    let mut text = String::new();
    outline_text(&symbols, 0, &mut text);
    insta::assert_snapshot!(text);
    shut_down(client);
}

mod edits {
    //! Property: whatever a keystroke does to a shipped rule file, every request answers
    //! without panicking, and what it answers fits the text.
    use std::collections::HashMap;

    use lsp_types::{Position, Range};
    use meso::lsp::analysis::{analyze, rule_set_documents, Document, ParsedFile};
    use meso::lsp::features;
    use meso::lsp::position::LineIndex;
    use proptest::prelude::*;

    /// The shipped rule set's documents and their trees, read and parsed once.
    fn shipped() -> &'static (Vec<Document>, HashMap<std::path::PathBuf, ParsedFile>) {
        static SHIPPED: std::sync::OnceLock<(
            Vec<Document>,
            HashMap<std::path::PathBuf, ParsedFile>,
        )> = std::sync::OnceLock::new();
        SHIPPED.get_or_init(|| {
            let docs = rule_set_documents(&super::common::root().join("rules"), &HashMap::new());
            let parsed = analyze(docs.clone(), &HashMap::new()).parsed;
            (docs, parsed)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn requests_after_any_edit_fit_the_text(
            file in 0usize..14,
            at in 0.0f64..1.0,
            cut in 0usize..40,
            insert in prop::sample::select(vec!["", "x", "{", "}", "\"", "é", "\n", " trust", "#"]),
            probe in 0.0f64..1.0,
        ) {
            let (docs, parsed) = shipped();
            let mut docs = docs.clone();
            let file = file % docs.len();
            let text = &mut docs[file].text;
            let mut start = ((text.len() as f64) * at) as usize;
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + cut).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(start..end, insert);
            let path = docs[file].path.clone();
            let text = docs[file].text.clone();
            let analysis = analyze(docs, parsed);
            let lines = LineIndex::new(&text);
            let position = lines.position(&text, ((text.len() as f64) * probe) as usize);

            for (p, range) in features::references(&analysis, &path, position, true) {
                let doc = analysis.document(&p).unwrap();
                let li = LineIndex::new(&doc.text);
                let found = &doc.text[li.offset(&doc.text, range.start)..li.offset(&doc.text, range.end)];
                prop_assert!(!found.is_empty());
            }
            let _ = features::prepare_rename(&analysis, &path, position);
            let _ = features::rename(&analysis, &path, position, "renamed_x");
            if let Some(tokens) = features::semantic_tokens(&analysis, &path) {
                let mut line = 0u32;
                let mut column = 0u32;
                let lengths: Vec<usize> = text.split('\n').map(|l| l.encode_utf16().count()).collect();
                for t in tokens {
                    line += t.delta_line;
                    column = if t.delta_line == 0 { column + t.delta_start } else { t.delta_start };
                    prop_assert!((column + t.length) as usize <= lengths[line as usize]);
                }
            }
            let all = Range::new(Position::new(0, 0), Position::new(u32::MAX, 0));
            let _ = features::inlay_hints(&analysis, &path, all);
            let index = analysis.documents.iter().position(|d| d.path == path).unwrap();
            let actions = features::code_actions(&analysis, &path, &analysis.diagnostics[index]);
            for action in actions {
                prop_assert!(action.edit.is_some());
            }
            if let Some(parsed) = analysis.parsed.get(&path) {
                let _ = features::document_symbols(&parsed.text, &parsed.tree);
            }
            let _ = features::format_document(&path, &text);
        }
    }
}

/// The code actions offered for `diagnostics` (all in the file at `uri`), asked at the
/// first one's range.
fn code_actions(client: &mut Client, uri: &str, diagnostics: &[Value]) -> Value {
    client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri },
                "range": diagnostics[0]["range"],
                "context": { "diagnostics": diagnostics } }),
    )
}

/// The titles of a list of code actions.
fn action_titles(actions: &Value) -> Vec<&str> {
    actions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["title"].as_str())
        .collect()
}

/// The diagnostics published for `uri` that have `code`.
fn diagnostics_with_code(client: &mut Client, uri: &str, code: &str) -> Vec<Value> {
    client
        .diagnostics(uri)
        .into_iter()
        .filter(|d| d["code"] == json!(code))
        .collect()
}
