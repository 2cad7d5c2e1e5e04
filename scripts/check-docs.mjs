#!/usr/bin/env node
// check-docs.mjs - `npm run docs:check`: the documentation cannot drift from the code.
//
// 1. Samples. Every ```ts block of README.md, CONTRIBUTING.md and docs/**/*.md is written to
//    dist/doc-samples/ as a file of its own and type-checked against the library's sources
//    (`nest-bucket` and `nest-bucket/*` map to libs/bucket/src, as in the tests), with the root
//    tsconfig's options plus the DOM types (some samples run in a browser). A sample must be a
//    complete module: its imports included. A sample whose first line is `// file: name.ts` can be
//    imported by the later samples of its page (`./name`). A block without a language is refused: fence what
//    is not TypeScript as `bash`, `text`, `yaml`...
// 2. Links. Every relative link and image of those files resolves to an existing file, and its
//    `#anchor`, if any, to a heading of the target (GitHub's slugs). Every page of docs/ is
//    linked from some other page.
//
// Prints each problem as `file:line: message`, and exits 1 if there is any.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'doc-samples');
const TS_LANGUAGES = new Set(['ts', 'typescript']);

/** The Markdown files checked: the README, CONTRIBUTING and every page under docs/. */
function markdownFiles() {
  const files = ['README.md', 'CONTRIBUTING.md'].filter((file) => existsSync(join(root, file)));
  const walk = (folder) => {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  return files;
}

/**
 * Splits a Markdown text into fenced blocks (`{ language, line, code }`, `line` the 1-based line
 * of the opening fence) and the lines outside them (`{ line, text }`).
 */
export function parseMarkdown(text) {
  const blocks = [];
  const prose = [];
  let open;
  text.split('\n').forEach((content, index) => {
    const line = index + 1;
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(content);
    if (open) {
      if (fence && fence[2][0] === open.marker[0] && fence[2].length >= open.marker.length) {
        blocks.push({ language: open.language, line: open.line, code: open.lines.join('\n') });
        open = undefined;
      } else open.lines.push(content);
    } else if (fence) {
      open = { marker: fence[2], language: fence[3].toLowerCase(), line, lines: [] };
    } else prose.push({ line, text: content });
  });
  if (open) blocks.push({ ...open, code: open.lines.join('\n'), unclosed: true });
  return { blocks, prose };
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
export function slug(heading) {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings, with GitHub's `-1`, `-2` for repeats. */
function anchorsOf(prose) {
  const anchors = new Set();
  const seen = new Map();
  for (const { text } of prose) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const base = slug(heading[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The relative links and images of the prose: `[text](target)`, inline code left out. */
function linksOf(prose) {
  const links = [];
  for (const { line, text } of prose) {
    const withoutCode = text.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length));
    for (const match of withoutCode.matchAll(
      /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
    )) {
      links.push({ line, target: match[1] });
    }
  }
  return links;
}

const problems = [];
const report = (file, line, message) => problems.push(`${file}:${line}: ${message}`);

const files = markdownFiles();
const parsed = new Map(
  files.map((file) => [file, parseMarkdown(readFileSync(join(root, file), 'utf8'))]),
);

// 1. Samples.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
/** Sample file name -> where its block starts in the Markdown. */
const origins = new Map();
for (const [file, { blocks }] of parsed) {
  for (const block of blocks) {
    if (block.unclosed) report(file, block.line, 'code block never closed');
    if (block.language === '') {
      report(file, block.line, 'code block without a language (```ts, ```bash, ```text...)');
    }
    if (!TS_LANGUAGES.has(block.language)) continue;
    // A sample that starts with `// file: name.ts` is written under that name, in a folder of
    // its page, so that a later sample of the same page can import it (`./name`).
    const named = /^\/\/ file: ([\w.-]+\.ts)\s*$/m.exec(block.code.split('\n', 1)[0]);
    const name = join(file.replace(/[/.]/g, '_'), named ? named[1] : `L${block.line}.ts`);
    if (origins.has(name)) report(file, block.line, `a second sample named ${named?.[1]}`);
    const isModule = /^\s*(import|export)\s/m.test(block.code);
    mkdirSync(dirname(join(outDir, name)), { recursive: true });
    writeFileSync(join(outDir, name), `${block.code}\n${isModule ? '' : 'export {};\n'}`);
    origins.set(name, { file, line: block.line });
  }
}
writeFileSync(
  join(outDir, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: relative(outDir, join(root, 'tsconfig.json')),
      compilerOptions: {
        noEmit: true,
        // As users' bundlers and `nodenext` apps resolve packages: through their `exports`.
        module: 'preserve',
        moduleResolution: 'bundler',
        lib: ['ES2024', 'DOM', 'DOM.Iterable'],
      },
      include: ['**/*.ts'],
      exclude: [],
    },
    null,
    2,
  ),
);
const config = ts.getParsedCommandLineOfConfigFile(
  join(outDir, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  },
);
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
for (const diagnostic of [...config.errors, ...ts.getPreEmitDiagnostics(program)]) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  const origin = diagnostic.file && origins.get(relative(outDir, diagnostic.file.fileName));
  if (origin && diagnostic.start !== undefined) {
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    report(origin.file, origin.line + 1 + line, `TS${diagnostic.code}: ${message}`);
  } else if (!diagnostic.file) {
    report('tsconfig', 0, `TS${diagnostic.code}: ${message}`);
  }
  // Errors inside the library's own files are `npm run typecheck`'s to report.
}

// 2. Links.
const anchors = new Map();
const anchorsOfFile = (file) => {
  if (!anchors.has(file)) {
    const known = parsed.get(file) ?? parseMarkdown(readFileSync(join(root, file), 'utf8'));
    anchors.set(file, anchorsOf(known.prose));
  }
  return anchors.get(file);
};
const linked = new Set();
for (const [file, { prose }] of parsed) {
  for (const { line, target } of linksOf(prose)) {
    if (/^[a-z][a-z+.-]*:/i.test(target)) continue; // https:, mailto:...
    const [path, anchor] = target.split('#', 2);
    const resolved = path ? relative(root, resolve(root, dirname(file), decodeURI(path))) : file;
    if (!existsSync(join(root, resolved))) {
      report(file, line, `link to a missing file: ${target}`);
      continue;
    }
    if (resolved !== file) linked.add(resolved);
    if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOfFile(resolved).has(anchor)) {
      report(file, line, `link to a missing anchor: ${target}`);
    }
  }
}
for (const file of files) {
  if (file.startsWith('docs/') && !linked.has(file)) report(file, 1, 'no page links to this page');
}

const samples = origins.size;
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\ndocs: ${problems.length} problem(s) in ${files.length} files`);
  process.exit(1);
}
console.log(`docs: ${samples} TypeScript samples compile; links resolve in ${files.length} files`);
