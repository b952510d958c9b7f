// meso for VS Code: highlighting (syntaxes/), and the language server `meso lsp` for .meso
// files: diagnostics, hover, go to definition, completion, references, rename, outline,
// quick fixes, formatting, semantic tokens and inlay hints. Plain JavaScript, no build step.
'use strict';

const vscode = require('vscode');
const { findExecutable, configuredCommand } = require('./server-path');

let client;

async function activate(context) {
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
  const command = configuredCommand((key) => config.get(key));
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const executable = findExecutable(command, process.env.PATH, folder && folder.uri.fsPath);
  if (!executable) {
    const where =
      command.includes('/') || command.includes('\\')
        ? `looked at \`${command}\``
        : `looked for \`${command}\` on the PATH`;
    const choice = await vscode.window.showErrorMessage(
      `meso: cannot find the meso executable (${where}); the language server is off. ` +
        'Install meso (`cargo install --path .` in its repository) or set `meso.path` to its full path.',
      'Open settings'
    );
    if (choice === 'Open settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'meso.path');
    }
    return;
  }
  const serverOptions = { command: executable, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'meso' }],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.meso'),
    },
  };
  client = new LanguageClient('meso', 'meso language server', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    vscode.window.showErrorMessage(`meso: cannot start \`${executable} lsp\`: ${e.message}`);
  }
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
