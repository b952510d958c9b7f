// Where the meso executable is: the `meso.path` setting (a full path, or a command name
// looked up on the PATH), else `meso` on the PATH. No dependency on VS Code, so that it can
// be tested with plain Node (test/server-path.js).
'use strict';

const fs = require('fs');
const path = require('path');

function isExecutable(file) {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch (e) {
    return false;
  }
}

// The executable for `command`: itself if it names a file (absolute, or with a directory
// part, resolved against `cwd`), else the first match on `envPath` (Windows: with the
// extensions of PATHEXT). `undefined` when there is none.
function findExecutable(command, envPath, cwd, platform) {
  const win = (platform || process.platform) === 'win32';
  const exts = win ? ['', ...(process.env.PATHEXT || '.EXE;.CMD;.BAT').toLowerCase().split(';')] : [''];
  if (command.includes('/') || (win && command.includes('\\'))) {
    const full = path.resolve(cwd || process.cwd(), command);
    return exts.map((x) => full + x).find(isExecutable);
  }
  for (const dir of (envPath || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const x of exts) {
      const candidate = path.join(dir, command + x);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

// The command configured: `meso.path`, else the older `meso.server.path`, else `meso`.
function configuredCommand(get) {
  const configured = (get('path') || '').trim();
  if (configured) return configured;
  const older = (get('server.path') || '').trim();
  return older || 'meso';
}

module.exports = { findExecutable, configuredCommand, isExecutable };
