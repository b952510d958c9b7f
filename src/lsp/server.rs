//! The protocol loop of `meso lsp`: LSP messages over stdin/stdout ↔ [`super::analysis`].
//!
//! Input: requests and notifications from an editor. Output: responses and
//! `textDocument/publishDiagnostics` notifications. Documents are synchronised in full on
//! every change; each change re-checks the whole rule set of the changed file.

use std::collections::HashMap;
use std::error::Error;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Completion, GotoDefinition, HoverRequest, Request as _};
use lsp_types::{
    CompletionOptions, CompletionParams, CompletionResponse, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, HoverProviderCapability, InitializeParams, Location, MarkupContent, MarkupKind,
    OneOf, PublishDiagnosticsParams, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use serde_json::Value;

use super::analysis::{analyze, rule_set_documents, rule_set_root, Analysis};
use super::completion::complete;
use super::position::{word_at, LineIndex};
use super::uri::{path_to_uri, uri_to_path};

/// Errors that end the server.
pub type ServerError = Box<dyn Error + Send + Sync>;

/// Run the server on stdin/stdout until the editor sends `exit`.
pub fn run_stdio() -> Result<(), ServerError> {
    let (connection, io_threads) = Connection::stdio();
    run(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// What the server offers.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["[".into(), ",".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// Run the server on a connection (stdio, or in memory for tests).
pub fn run(connection: &Connection) -> Result<(), ServerError> {
    let init = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "meso".into(), version: Some(crate::VERSION.into()) },
    });
    let (id, params) = connection.initialize_start()?;
    connection.initialize_finish(id, init)?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let mut state = State::new(&params);
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = state.request(request);
                connection.sender.send(response.into())?;
            }
            Message::Notification(notification) => {
                for out in state.notification(notification) {
                    connection.sender.send(out.into())?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// Open documents and the last analysis of each rule set.
struct State {
    workspace_folders: Vec<PathBuf>,
    open: HashMap<PathBuf, String>,
    /// Analysis by rule set root
    analyses: HashMap<PathBuf, Analysis>,
    /// Files that were last given diagnostics, by rule set root (to clear them)
    published: HashMap<PathBuf, Vec<PathBuf>>,
}

impl State {
    fn new(params: &InitializeParams) -> Self {
        let mut workspace_folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| uri_to_path(&f.uri))
            .collect();
        #[allow(deprecated)]
        if let Some(root) = params.root_uri.as_ref().and_then(uri_to_path) {
            if !workspace_folders.contains(&root) {
                workspace_folders.push(root);
            }
        }
        State {
            workspace_folders,
            open: HashMap::new(),
            analyses: HashMap::new(),
            published: HashMap::new(),
        }
    }

    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        let changed: Vec<PathBuf> = match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                serde_json::from_value::<DidOpenTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| {
                        let path = uri_to_path(&p.text_document.uri)?;
                        self.open.insert(path.clone(), p.text_document.text);
                        Some(path)
                    })
            }
            DidChangeTextDocument::METHOD => {
                serde_json::from_value::<DidChangeTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|mut p| {
                        let path = uri_to_path(&p.text_document.uri)?;
                        // Full synchronisation: the last change holds the whole text.
                        let change = p.content_changes.pop()?;
                        self.open.insert(path.clone(), change.text);
                        Some(path)
                    })
            }
            DidChangeWatchedFiles::METHOD => {
                return self.files_changed(n.params);
            }
            DidSaveTextDocument::METHOD => {
                serde_json::from_value::<DidSaveTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| uri_to_path(&p.text_document.uri))
            }
            DidCloseTextDocument::METHOD => {
                serde_json::from_value::<DidCloseTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| {
                        let path = uri_to_path(&p.text_document.uri)?;
                        self.open.remove(&path);
                        Some(path)
                    })
            }
            _ => None,
        }
        .into_iter()
        .collect();
        self.reanalyze_all(changed)
    }

    /// Re-check the rule sets of these files, each rule set once.
    fn reanalyze_all(&mut self, paths: Vec<PathBuf>) -> Vec<Notification> {
        let mut out = Vec::new();
        let mut roots = Vec::new();
        for path in paths {
            let root = rule_set_root(&path, &self.workspace_folders);
            if !roots.contains(&root) {
                out.extend(self.reanalyze(&path));
                roots.push(root);
            }
        }
        out
    }

    /// Rule files changed on disk (created, saved by another program, deleted).
    fn files_changed(&mut self, params: Value) -> Vec<Notification> {
        let Ok(params) = serde_json::from_value::<DidChangeWatchedFilesParams>(params) else {
            return Vec::new();
        };
        let paths = params
            .changes
            .iter()
            .filter_map(|change| uri_to_path(&change.uri))
            .filter(|path| path.extension().is_some_and(|x| x == "meso"))
            .collect();
        self.reanalyze_all(paths)
    }

    /// Re-check the rule set of `path`; returns the diagnostics to publish.
    fn reanalyze(&mut self, path: &Path) -> Vec<Notification> {
        let root = rule_set_root(path, &self.workspace_folders);
        let documents = rule_set_documents(&root, &self.open);
        let empty = HashMap::new();
        let previous = self.analyses.get(&root).map_or(&empty, |a| &a.parsed);
        let analysis = analyze(documents, previous);
        let mut out = Vec::new();
        let now: Vec<PathBuf> = analysis.documents.iter().map(|d| d.path.clone()).collect();
        for old in self.published.remove(&root).unwrap_or_default() {
            if !now.contains(&old) {
                out.extend(publish(&old, Vec::new()));
            }
        }
        for (doc, diagnostics) in analysis.documents.iter().zip(&analysis.diagnostics) {
            out.extend(publish(&doc.path, diagnostics.clone()));
        }
        self.published.insert(root.clone(), now);
        self.analyses.insert(root, analysis);
        out
    }

    /// The analysis covering `path`, computing it if the file was never opened.
    fn analysis_for(&mut self, path: &Path) -> Option<&Analysis> {
        let root = rule_set_root(path, &self.workspace_folders);
        if !self.analyses.contains_key(&root) {
            let documents = rule_set_documents(&root, &self.open);
            self.analyses
                .insert(root.clone(), analyze(documents, &HashMap::new()));
        }
        self.analyses.get(&root)
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => params::<HoverParams>(request.params)
                .map(|p| to_json(self.hover(&p.text_document_position_params))),
            GotoDefinition::METHOD => params::<GotoDefinitionParams>(request.params)
                .map(|p| to_json(self.definition(&p.text_document_position_params))),
            Completion::METHOD => params::<CompletionParams>(request.params)
                .map(|p| to_json(self.completion(&p.text_document_position))),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("meso does not handle `{}`", request.method),
                )
            }
        };
        respond(id, result)
    }

    /// The name under the cursor, with the analysis that knows it.
    fn word(&mut self, at: &TextDocumentPositionParams) -> Option<(String, &Analysis)> {
        let path = uri_to_path(&at.text_document.uri)?;
        let analysis = self.analysis_for(&path)?;
        let text = &analysis.document(&path)?.text;
        let offset = LineIndex::new(text).offset(text, at.position);
        let (_, _, word) = word_at(text, offset)?;
        Some((word.to_string(), analysis))
    }

    fn hover(&mut self, at: &TextDocumentPositionParams) -> Option<Hover> {
        let (word, analysis) = self.word(at)?;
        let text = analysis.index.hover(&word)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: None,
        })
    }

    fn definition(&mut self, at: &TextDocumentPositionParams) -> Option<GotoDefinitionResponse> {
        let (word, analysis) = self.word(at)?;
        let (path, range) = analysis.index.definition(&word)?;
        Some(GotoDefinitionResponse::Scalar(Location::new(
            path_to_uri(&path)?,
            range,
        )))
    }

    fn completion(&mut self, at: &TextDocumentPositionParams) -> Option<CompletionResponse> {
        let path = uri_to_path(&at.text_document.uri)?;
        let analysis = self.analysis_for(&path)?;
        let text = &analysis.document(&path)?.text;
        let offset = LineIndex::new(text).offset(text, at.position);
        Some(CompletionResponse::Array(complete(
            text,
            offset,
            &analysis.index,
        )))
    }
}

fn params<P: serde::de::DeserializeOwned>(value: Value) -> Result<P, String> {
    serde_json::from_value(value).map_err(|e| format!("invalid parameters: {e}"))
}

fn to_json<T: serde::Serialize>(value: Option<T>) -> Value {
    value.map_or(Value::Null, |v| {
        serde_json::to_value(v).unwrap_or(Value::Null)
    })
}

fn respond(id: RequestId, result: Result<Value, String>) -> Response {
    match result {
        Ok(value) => Response {
            id,
            response_result: Ok(value),
        },
        Err(message) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
    }
}

fn publish(path: &Path, diagnostics: Vec<lsp_types::Diagnostic>) -> Option<Notification> {
    let uri: Uri = path_to_uri(path)?;
    Some(Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        },
    ))
}
