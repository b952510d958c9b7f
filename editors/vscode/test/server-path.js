// server-path.js: `meso.path` and the PATH lookup, with plain Node.
'use strict';

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { findExecutable, configuredCommand } = require('../server-path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meso-path-'));
const bin = path.join(dir, 'bin');
fs.mkdirSync(bin);
const meso = path.join(bin, process.platform === 'win32' ? 'meso.exe' : 'meso');
fs.writeFileSync(meso, '#!/bin/sh\n');
fs.chmodSync(meso, 0o755);
const plain = path.join(bin, 'not-executable');
fs.writeFileSync(plain, '');
fs.chmodSync(plain, 0o644);

// On the PATH, not on it.
assert.strictEqual(findExecutable('meso', ['/nonexistent', bin].join(path.delimiter)), meso);
assert.strictEqual(findExecutable('meso', '/nonexistent'), undefined);
assert.strictEqual(findExecutable('meso', ''), undefined);
// A full path, a relative path against the workspace folder, a missing one.
assert.strictEqual(findExecutable(meso, ''), meso);
assert.strictEqual(findExecutable('bin/' + path.basename(meso), '', dir), meso);
assert.strictEqual(findExecutable(path.join(dir, 'missing'), ''), undefined);
if (process.platform !== 'win32') {
  assert.strictEqual(findExecutable(plain, ''), undefined, 'not executable');
}

// The setting: `meso.path`, else the older `meso.server.path`, else `meso`.
const settings = (values) => (key) => values[key];
assert.strictEqual(configuredCommand(settings({ path: ' /opt/meso ', 'server.path': 'x' })), '/opt/meso');
assert.strictEqual(configuredCommand(settings({ path: '', 'server.path': 'meso-dev' })), 'meso-dev');
assert.strictEqual(configuredCommand(settings({})), 'meso');

fs.rmSync(dir, { recursive: true, force: true });
console.log('server-path: ok');
