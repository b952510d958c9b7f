//! The protocol loop of `meso lsp`: LSP messages over stdin/stdout ↔ [`super::analysis`].
//!
//! Input: requests and notifications from an editor. Output: responses and
//! `textDocument/publishDiagnostics` notifications. Documents are synchronised in full on
//! every change; each change re-checks the whole rule set of the changed file.

use std::collections::HashMap;
use std::error::Error;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::LogMessage;
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    InlayHintRequest, PrepareRenameRequest, References, Rename, Request as _,
    SemanticTokensFullRequest, SignatureHelpRequest, WorkspaceSymbolRequest,
};
use lsp_types::{
    CodeActionOrCommand, CodeActionParams, CodeActionProviderCapability, DocumentFormattingParams,
    DocumentSymbolParams, DocumentSymbolResponse, InlayHintParams, LogMessageParams, MessageType,
    PrepareRenameResponse, ReferenceParams, RenameOptions, RenameParams, SemanticTokens,
    SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensParams,
    SemanticTokensServerCapabilities, SymbolInformation, TextDocumentPositionParams as AtParams,
    WorkDoneProgressOptions, WorkspaceEdit, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
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
use super::features;
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
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: features::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        inlay_hint_provider: Some(OneOf::Left(true)),
        signature_help_provider: Some(lsp_types::SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            retrigger_characters: None,
            work_done_progress_options: WorkDoneProgressOptions::default(),
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
                for log in state.logs.drain(..) {
                    connection.sender.send(log.into())?;
                }
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
    /// `window/logMessage` notifications to send after the current response
    logs: Vec<Notification>,
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
            logs: Vec::new(),
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
            Formatting::METHOD => params::<DocumentFormattingParams>(request.params)
                .map(|p| to_json(self.formatting(&p.text_document.uri))),
            References::METHOD => params::<ReferenceParams>(request.params).map(|p| {
                to_json(self.references(&p.text_document_position, p.context.include_declaration))
            }),
            PrepareRenameRequest::METHOD => match params::<AtParams>(request.params) {
                Ok(p) => match self.prepare_rename(&p) {
                    Ok(r) => Ok(to_json(Some(r))),
                    Err(reason) => return refuse(id, reason),
                },
                Err(e) => Err(e),
            },
            Rename::METHOD => match params::<RenameParams>(request.params) {
                Ok(p) => match self.rename(&p) {
                    Ok(edit) => Ok(to_json(Some(edit))),
                    Err(reason) => return refuse(id, reason),
                },
                Err(e) => Err(e),
            },
            DocumentSymbolRequest::METHOD => params::<DocumentSymbolParams>(request.params)
                .map(|p| to_json(self.document_symbols(&p.text_document.uri))),
            WorkspaceSymbolRequest::METHOD => params::<WorkspaceSymbolParams>(request.params)
                .map(|p| to_json(Some(self.workspace_symbols(&p.query)))),
            CodeActionRequest::METHOD => {
                params::<CodeActionParams>(request.params).map(|p| to_json(self.code_actions(&p)))
            }
            SemanticTokensFullRequest::METHOD => params::<SemanticTokensParams>(request.params)
                .map(|p| to_json(self.semantic_tokens(&p.text_document.uri))),
            InlayHintRequest::METHOD => {
                params::<InlayHintParams>(request.params).map(|p| to_json(self.inlay_hints(&p)))
            }
            SignatureHelpRequest::METHOD => {
                params::<lsp_types::SignatureHelpParams>(request.params)
                    .map(|p| to_json(self.signature_help(&p.text_document_position_params)))
            }
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
    fn log(&mut self, message: String) {
        self.logs.push(Notification::new(
            LogMessage::METHOD.to_string(),
            LogMessageParams {
                typ: MessageType::WARNING,
                message,
            },
        ));
    }

    /// The document's text: as open in the editor, or as saved.
    fn text_of(&mut self, path: &Path) -> Option<String> {
        if let Some(text) = self.open.get(path) {
            return Some(text.clone());
        }
        std::fs::read_to_string(path).ok()
    }

    fn formatting(&mut self, uri: &Uri) -> Option<Vec<lsp_types::TextEdit>> {
        let path = uri_to_path(uri)?;
        let text = self.text_of(&path)?;
        match features::format_document(&path, &text) {
            Ok(edits) => Some(edits),
            Err(reason) => {
                // Left untouched; the reason goes to the log.
                self.log(reason);
                None
            }
        }
    }

    fn references(&mut self, at: &AtParams, include_declaration: bool) -> Option<Vec<Location>> {
        let path = uri_to_path(&at.text_document.uri)?;
        let analysis = self.analysis_for(&path)?;
        let found = features::references(analysis, &path, at.position, include_declaration);
        Some(
            found
                .into_iter()
                .filter_map(|(p, r)| Some(Location::new(path_to_uri(&p)?, r)))
                .collect(),
        )
    }

    fn prepare_rename(&mut self, at: &AtParams) -> Result<PrepareRenameResponse, String> {
        let path = uri_to_path(&at.text_document.uri).ok_or("not a file on disk")?;
        let analysis = self
            .analysis_for(&path)
            .ok_or("this file is not part of a rule set")?;
        let (range, placeholder) = features::prepare_rename(analysis, &path, at.position)?;
        Ok(PrepareRenameResponse::RangeWithPlaceholder { range, placeholder })
    }

    fn rename(&mut self, p: &RenameParams) -> Result<WorkspaceEdit, String> {
        let at = &p.text_document_position;
        let path = uri_to_path(&at.text_document.uri).ok_or("not a file on disk")?;
        let analysis = self
            .analysis_for(&path)
            .ok_or("this file is not part of a rule set")?;
        let edits = features::rename(analysis, &path, at.position, &p.new_name)?;
        Ok(features::workspace_edit(edits))
    }

    fn document_symbols(&mut self, uri: &Uri) -> Option<DocumentSymbolResponse> {
        let path = uri_to_path(uri)?;
        let analysis = self.analysis_for(&path)?;
        // The last tree that parsed is still the best outline while the file is broken.
        let parsed = analysis.parsed.get(&path)?;
        Some(DocumentSymbolResponse::Nested(features::document_symbols(
            &parsed.text,
            &parsed.tree,
        )))
    }

    fn workspace_symbols(&mut self, query: &str) -> WorkspaceSymbolResponse {
        if self.analyses.is_empty() {
            // Nothing opened yet: the rule sets of the workspace folders.
            let mut roots: Vec<PathBuf> = Vec::new();
            for folder in self.workspace_folders.clone() {
                for file in super::analysis::meso_files(&folder) {
                    let root = rule_set_root(&file, &self.workspace_folders);
                    if !roots.contains(&root) {
                        roots.push(root);
                        let _ = self.analysis_for(&file);
                    }
                }
            }
        }
        let mut roots: Vec<&PathBuf> = self.analyses.keys().collect();
        roots.sort();
        let mut out = Vec::new();
        for root in roots {
            let Some(analysis) = self.analyses.get(root) else {
                continue;
            };
            for (name, kind, path, range) in features::workspace_symbols(analysis, query) {
                let Some(uri) = path_to_uri(&path) else {
                    continue;
                };
                #[allow(deprecated)]
                out.push(SymbolInformation {
                    name,
                    kind,
                    tags: None,
                    deprecated: None,
                    location: Location::new(uri, range),
                    container_name: None,
                });
            }
        }
        WorkspaceSymbolResponse::Flat(out)
    }

    fn code_actions(&mut self, p: &CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
        let path = uri_to_path(&p.text_document.uri)?;
        let analysis = self.analysis_for(&path)?;
        Some(
            features::code_actions(analysis, &path, &p.context.diagnostics)
                .into_iter()
                .map(CodeActionOrCommand::CodeAction)
                .collect(),
        )
    }

    fn semantic_tokens(&mut self, uri: &Uri) -> Option<SemanticTokens> {
        let path = uri_to_path(uri)?;
        let analysis = self.analysis_for(&path)?;
        let data = features::semantic_tokens(analysis, &path)?;
        Some(SemanticTokens {
            result_id: None,
            data,
        })
    }

    fn signature_help(&mut self, at: &AtParams) -> Option<lsp_types::SignatureHelp> {
        let path = uri_to_path(&at.text_document.uri)?;
        let analysis = self.analysis_for(&path)?;
        let text = &analysis.document(&path)?.text;
        let offset = LineIndex::new(text).offset(text, at.position);
        features::signature_help(text, offset)
    }

    fn inlay_hints(&mut self, p: &InlayHintParams) -> Option<Vec<lsp_types::InlayHint>> {
        let path = uri_to_path(&p.text_document.uri)?;
        let analysis = self.analysis_for(&path)?;
        Some(features::inlay_hints(analysis, &path, p.range))
    }
}

/// A request refused with a reason the editor shows (a rename that would clash).
fn refuse(id: RequestId, reason: String) -> Response {
    Response::new_err(id, ErrorCode::RequestFailed as i32, reason)
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
