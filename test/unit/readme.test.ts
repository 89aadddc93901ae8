// The README is the user's front page: one page (under 15 KB) that opens with the two commands a
// newcomer runs, links nothing relative but its screenshot (vsce rewrites or refuses relative
// links, and GitHub and the Marketplace resolve them differently), and names only docs that
// exist. The docs under docs/ link each other relatively; every such link must resolve.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(__dirname, '../../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The screenshot is the README's one relative link. */
const SCREENSHOT = 'media/screenshot.png';

/** Markdown link and image targets, and HTML src/href values, outside fenced code blocks. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const markdownTargets = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const referenceTargets = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/gm)].map((m) => m[1]);
  const htmlTargets = [...prose.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]);
  return [...markdownTargets, ...referenceTargets, ...htmlTargets];
}

const isRelative = (target: string) => !/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(target);

describe('README', () => {
  it('is one page: under 15 KB', () => {
    const bytes = Buffer.byteLength(readme, 'utf8');
    assert.ok(bytes < 15_000, `README.md is ${bytes} bytes; move detail into docs/ (docs/README.md is the index)`);
  });

  it('opens with the two commands a newcomer runs', () => {
    const opening = readme.split('\n').slice(0, 8).join('\n');
    assert.match(opening, /^# Latent XRD\n/, 'the title comes first');
    assert.match(opening, /```sh\nnpm install && npm start\b[^\n]*\nnpm test\b[^\n]*\n```/, 'the first block is `npm install && npm start` then `npm test`');
  });

  it('links nothing relative but its screenshot, which exists and is small', () => {
    const relative = linkTargets(readme).filter(isRelative);
    assert.deepEqual(relative, [SCREENSHOT], 'name files as code spans, not relative links (vsce and the Marketplace do not resolve them)');
    const size = statSync(join(root, SCREENSHOT)).size;
    assert.ok(size < 300_000, `${SCREENSHOT} is ${size} bytes`);
  });

  it('names only docs that exist', () => {
    const named = [...new Set([...readme.matchAll(/\bdocs\/[\w./-]*[\w/]/g)].map((m) => m[0]))];
    assert.ok(named.includes('docs/README.md') && named.includes('docs/architecture.md'), 'the index and the architecture are named');
    const missing = named.filter((path) => !existsSync(join(root, path)));
    assert.deepEqual(missing, [], 'every docs/ path README.md names exists');
  });
});

describe('docs/', () => {
  const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'));

  it('has an index that lists every page', () => {
    const index = readFileSync(join(root, 'docs/README.md'), 'utf8');
    const unlisted = docs.filter((name) => name !== 'README.md' && !index.includes(`](${name})`));
    assert.deepEqual(unlisted, [], 'docs/README.md links every page of docs/');
  });

  it('links only files that exist', () => {
    const broken: string[] = [];
    for (const name of docs) {
      const file = join(root, 'docs', name);
      for (const target of linkTargets(readFileSync(file, 'utf8')).filter(isRelative)) {
        const path = target.split('#')[0];
        if (path && !existsSync(join(dirname(file), path))) broken.push(`docs/${name} → ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});
