// meso for VS Code: starts `meso lsp` for .meso files. Plain JavaScript, no build step;
// run `npm install` in this folder once to fetch vscode-languageclient.
'use strict';

const vscode = require('vscode');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('meso');
  if (!config.get('server.enabled', true)) {
    return;
  }
  let LanguageClient;
  try {
    ({ LanguageClient } = require('vscode-languageclient/node'));
  } catch (e) {
    vscode.window.showWarningMessage(
      'meso: highlighting only; run `npm install` in the extension folder to enable the language server.'
    );
    return;
  }
  const command = config.get('server.path', 'meso');
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'meso' }],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.meso'),
    },
  };
  client = new LanguageClient('meso', 'meso language server', serverOptions, clientOptions);
  client.start().catch((e) => {
    vscode.window.showErrorMessage(`meso: cannot start \`${command} lsp\`: ${e.message}`);
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
