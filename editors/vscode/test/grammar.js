// The TextMate grammar against the shipped rule files: every token of every file gets the
// scope it should, and every keyword of grammar/meso.pest is highlighted as a keyword.
//
// An independent lexer (below, following grammar/meso.pest) splits each file into comments,
// strings, numbers, operators, punctuation, keywords and names; vscode-textmate (with the
// Oniguruma regex engine VS Code uses) tokenizes the same file with
// syntaxes/meso.tmLanguage.json; each lexed token must be covered entirely by scopes of its
// class. Names must not be scoped as keywords (`not_a_cluster` is not `not`), keywords must
// not be left unscoped. Run: `node test/grammar.js` in editors/vscode (after `npm ci`).
'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = __dirname;
const repo = path.resolve(here, '..', '..', '..');

// Keywords: every lowercase word literal of the pest grammar (outside its comments).
function pestKeywords() {
  const pest = fs.readFileSync(path.join(repo, 'grammar', 'meso.pest'), 'utf8');
  const words = new Set();
  for (const line of pest.split('\n')) {
    const code = line.replace(/\/\/.*$/, '');
    for (const m of code.matchAll(/"([a-z][a-z_ ]*[a-z])"/g)) {
      for (const w of m[1].split(' ')) words.add(w);
    }
  }
  return words;
}

const KEYWORDS = pestKeywords();
// Words the language gives a meaning without a pest literal of their own.
for (const w of ['none', 'provisionally']) KEYWORDS.add(w);
const FUNCTIONS = new Set(['min', 'max', 'abs', 'count', 'any', 'all']);

// Token classes and the scopes that may cover them.
const EXPECT = {
  comment: (s) => s.some((x) => x.startsWith('comment.')),
  string: (s) => s.some((x) => x.startsWith('string.') || x.startsWith('constant.character.escape')),
  number: (s) => s.some((x) => x.startsWith('constant.numeric.')),
  keyword: (s) =>
    s.some((x) =>
      /^(keyword\.|storage\.|support\.type\.|support\.function\.|constant\.language\.|constant\.other\.status\.)/.test(x)
    ),
  operator: (s) => s.some((x) => x.startsWith('keyword.operator.')),
  punctuation: (s) => s.some((x) => x.startsWith('punctuation.')),
  name: (s) =>
    !s.some((x) => /^(keyword\.|storage\.|support\.type\.|constant\.language\.|constant\.other\.status\.|comment\.|string\.)/.test(x)),
};

// The lexer: [class, start, end] for each token of one line-split file.
function lex(text) {
  const tokens = [];
  let i = 0;
  const n = text.length;
  const isStart = (c) => /[\p{L}_]/u.test(c);
  const isCont = (c) => /[\p{L}\p{N}_]/u.test(c);
  while (i < n) {
    const c = text[i];
    if (c === '#') {
      const end = text.indexOf('\n', i);
      const e = end < 0 ? n : end;
      tokens.push(['comment', i, e]);
      i = e;
    } else if (text.startsWith('"""', i)) {
      const end = text.indexOf('"""', i + 3);
      const e = end < 0 ? n : end + 3;
      tokens.push(['string', i, e]);
      i = e;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      tokens.push(['string', i, Math.min(j + 1, n)]);
      i = j + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9_]*(\.[0-9]+)?([eE][+-]?[0-9]+)?%?/.exec(text.slice(i));
      tokens.push(['number', i, i + m[0].length]);
      i += m[0].length;
    } else if (isStart(c)) {
      let j = i + 1;
      while (j < n && isCont(text[j])) j++;
      const word = text.slice(i, j);
      const call = /^\s*\(/.test(text.slice(j));
      let cls = 'name';
      if (KEYWORDS.has(word) && !(call && FUNCTIONS.has(word))) cls = 'keyword';
      if (call && FUNCTIONS.has(word)) cls = 'keyword';
      tokens.push([cls, i, j]);
      i = j;
    } else if (/[=!<>]/.test(c)) {
      const two = text.slice(i, i + 2);
      const len = ['==', '!=', '<=', '>='].includes(two) ? 2 : 1;
      tokens.push(['operator', i, i + len]);
      i += len;
    } else if (/[-+*/]/.test(c)) {
      tokens.push(['operator', i, i + 1]);
      i += 1;
    } else if (/[{}\[\](),:]/.test(c)) {
      tokens.push(['punctuation', i, i + 1]);
      i += 1;
    } else {
      i += 1; // whitespace and anything the parser would reject
    }
  }
  return tokens;
}

function corpus() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.meso')) files.push(p);
    }
  };
  walk(path.join(repo, 'rules'));
  walk(path.join(repo, 'examples', 'rulesets'));
  return files;
}

async function main() {
  const wasm = fs.readFileSync(path.join(here, '..', 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p) => new oniguruma.OnigScanner(p),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.meso') return null;
      const file = path.join(here, '..', 'syntaxes', 'meso.tmLanguage.json');
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  const grammar = await registry.loadGrammar('source.meso');

  const failures = [];
  const seen = new Set();
  let tokenCount = 0;
  const files = corpus();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    // scopes[offset] = the scopes of the character at offset
    const scopes = new Array(text.length);
    let ruleStack = vsctm.INITIAL;
    let lineStart = 0;
    for (const line of text.split('\n')) {
      const result = grammar.tokenizeLine(line, ruleStack);
      for (const t of result.tokens) {
        for (let k = t.startIndex; k < Math.min(t.endIndex, line.length); k++) scopes[lineStart + k] = t.scopes;
      }
      ruleStack = result.ruleStack;
      lineStart += line.length + 1;
    }
    for (const [cls, start, end] of lex(text)) {
      tokenCount++;
      for (let k = start; k < end; k++) {
        if (text[k] === '\n') continue;
        const s = scopes[k] || [];
        if (!EXPECT[cls](s)) {
          const line = text.slice(0, start).split('\n').length;
          failures.push(
            `${path.relative(repo, file)}:${line}: ${cls} \`${text.slice(start, end).slice(0, 40)}\` has scopes ${s.join(' ')}`
          );
          break;
        }
      }
      if (cls === 'keyword') seen.add(text.slice(start, end));
    }
  }
  // Every pest keyword must be highlighted as one: those not in the corpus are checked on a
  // line of their own.
  for (const word of [...KEYWORDS].sort()) {
    if (seen.has(word)) continue;
    const { tokens } = grammar.tokenizeLine(`  ${word} `, vsctm.INITIAL);
    const t = tokens.find((x) => x.startIndex <= 2 && 2 < x.endIndex);
    if (!t || !EXPECT.keyword(t.scopes)) {
      failures.push(`keyword \`${word}\` of grammar/meso.pest is not highlighted as a keyword`);
    }
  }
  if (failures.length > 0) {
    console.error(failures.slice(0, 50).join('\n'));
    console.error(`${failures.length} mis-scoped tokens`);
    process.exit(1);
  }
  console.log(`grammar: ${tokenCount} tokens in ${files.length} files scoped as intended; ${KEYWORDS.size} keywords checked`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
