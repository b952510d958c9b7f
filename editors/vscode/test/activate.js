// extension.js's activate() with a stand-in for the `vscode` module and the language
// client: with meso found it starts `<meso> lsp`; without it, it says so clearly and offers
// the setting. Plain Node, no VS Code needed.
'use strict';

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const Module = require('module');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meso-activate-'));
const meso = path.join(dir, 'meso');
fs.writeFileSync(meso, '#!/bin/sh\n');
fs.chmodSync(meso, 0o755);

let settings = {};
const errors = [];
const started = [];
const commands = [];
let answer;
const vscode = {
  workspace: {
    getConfiguration: () => ({ get: (key, fallback) => (key in settings ? settings[key] : fallback) }),
    workspaceFolders: [{ uri: { fsPath: dir } }],
    createFileSystemWatcher: () => ({}),
  },
  window: {
    showErrorMessage: async (message, ...items) => {
      errors.push({ message, items });
      return answer;
    },
    showWarningMessage: async () => undefined,
  },
  commands: { executeCommand: (...args) => commands.push(args) },
};
class LanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    started.push({ id, serverOptions, clientOptions });
  }
  start() {
    return Promise.resolve();
  }
  stop() {
    return Promise.resolve();
  }
}
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'vscode') return vscode;
  if (request === 'vscode-languageclient/node') return { LanguageClient };
  return load.call(this, request, ...rest);
};
const extension = require('../extension');

(async () => {
  const context = { subscriptions: [] };

  // `meso.path` set to the executable: the server is `<path> lsp`.
  settings = { path: meso };
  await extension.activate(context);
  assert.strictEqual(started.length, 1);
  assert.deepStrictEqual(started[0].serverOptions, { command: meso, args: ['lsp'] });
  assert.deepStrictEqual(started[0].clientOptions.documentSelector, [{ scheme: 'file', language: 'meso' }]);
  assert.strictEqual(errors.length, 0);

  // On the PATH.
  settings = {};
  const oldPath = process.env.PATH;
  process.env.PATH = dir;
  await extension.activate(context);
  assert.strictEqual(started[1].serverOptions.command, meso);

  // Nowhere: a clear message, the setting offered, no server.
  process.env.PATH = path.join(dir, 'empty');
  answer = 'Open settings';
  await extension.activate(context);
  process.env.PATH = oldPath;
  assert.strictEqual(started.length, 2);
  assert.strictEqual(errors.length, 1);
  assert.match(errors[0].message, /cannot find the meso executable \(looked for `meso` on the PATH\)/);
  assert.match(errors[0].message, /set `meso\.path`/);
  assert.deepStrictEqual(errors[0].items, ['Open settings']);
  assert.deepStrictEqual(commands, [['workbench.action.openSettings', 'meso.path']]);

  // A configured path that does not exist is named in the message.
  settings = { path: path.join(dir, 'missing', 'meso') };
  answer = undefined;
  await extension.activate(context);
  assert.match(errors[1].message, /\(looked at `.*missing\/meso`\)/);

  fs.rmSync(dir, { recursive: true, force: true });
  console.log('activate: ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
