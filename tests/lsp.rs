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
