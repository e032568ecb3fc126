// Opens the rendered book in headless Chromium, served on 127.0.0.1, and does
// what a reader does: opens every page on a phone and on a desktop, in the
// light and a dark theme, searches, reads the sidebar, reveals hidden lines,
// copies a command and every Rust listing, switches themes, and runs
// axe-core's WCAG 2 A/AA rules on every page in the light and navy themes. It also runs the two mdBook commands a
// reader tries first, `mdbook build` and `mdbook test`. Screenshots of every
// page at both widths and in both themes go to target/browser/ for review.
//
//   (cd tools/browser && npm ci && npm test)
//
// The test builds the book itself with `mdbook build` (MDBOOK, default
// `mdbook` on the PATH) into a temporary folder, and fails on any warning.
// BOOK_DIR, if set, is a book already built, served instead. BOOK_PAGES, a
// regular expression, limits the per-page layout checks to the pages whose
// path matches it (while working on a page). SCREENSHOT_DIR
// (default: ../../target/browser) receives the screenshots. CHROMIUM
// (default: /usr/bin/chromium) is Debian's.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const mdbook = process.env.MDBOOK ?? 'mdbook';
let bookDir = process.env.BOOK_DIR ? resolve(process.env.BOOK_DIR) : null;
let builtHere = null;
const screenshotDir = process.env.SCREENSHOT_DIR ?? join(repo, 'target', 'browser');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.ttf': 'font/ttf', '.json': 'application/json', '.txt': 'text/plain',
};

let server;
let base;
let browser;

/** Runs mdBook at the root of the repository; returns its status and output. */
function runMdbook(...args) {
  const run = spawnSync(mdbook, args, { cwd: repo, encoding: 'utf8', timeout: 120_000 });
  assert.ok(!run.error, `cannot run ${mdbook}: ${run.error?.message} (install it as README.md says, or set MDBOOK)`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

before(async () => {
  if (!bookDir) {
    builtHere = mkdtempSync(join(tmpdir(), 'book-'));
    const build = runMdbook('build', '--dest-dir', builtHere);
    assert.equal(build.status, 0, `mdbook build failed:\n${build.output}`);
    const warnings = build.output.split('\n').filter((line) => /\b(WARN|ERROR)\b/.test(line));
    assert.deepEqual(warnings, [], `mdbook build warned:\n${build.output}`);
    bookDir = builtHere;
  }
  assert.ok(existsSync(join(bookDir, 'index.html')), `no index.html in ${bookDir}: the book was not written where readers look for it`);
  server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    let file = resolve(bookDir, '.' + path);
    if (file.startsWith(bookDir) && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(bookDir) || !existsSync(file)) {
      response.writeHead(404);
      response.end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
  if (builtHere) rmSync(builtHere, { recursive: true, force: true });
});

// On load, mdBook asks the Rust Playground which crates it has, to decide
// which play buttons to show. This machine has no internet, so the test
// answers for the playground, with the crates the book's playable listings use.
const playgroundCrates = ['tokio', 'crossbeam', 'rayon'];
const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'content-type',
};

/** A fresh page that records console errors and uncaught exceptions. */
async function openPage(options = {}) {
  const { theme, ...contextOptions } = options;
  const context = await browser.newContext(contextOptions);
  if (theme) await context.addInitScript((name) => localStorage.setItem('mdbook-theme', name), theme);
  const page = await context.newPage();
  // Each page has its own context (its size, touch and theme): closing the
  // page closes the context.
  page.close = async () => context.close();
  await page.route('https://play.rust-lang.org/**', (route) =>
    route.fulfill({
      status: 200,
      headers: { ...corsHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ crates: playgroundCrates.map((id) => ({ id, name: id, version: '1' })) }),
    }),
  );
  page.errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.errors.push(`exception: ${error.message}`));
  return page;
}

function htmlPages(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return htmlPages(path);
    return entry.name.endsWith('.html') ? [relative(bookDir, path)] : [];
  });
}

test('every page loads without console errors', async () => {
  const pages = htmlPages(bookDir).sort();
  assert.ok(pages.length > 3, `only ${pages.length} pages`);
  const page = await openPage();
  const problems = [];
  for (const name of pages) {
    page.errors = [];
    const response = await page.goto(base + name, { waitUntil: 'load' });
    if (!response.ok()) problems.push(`${name}: HTTP ${response.status()}`);
    for (const error of page.errors) problems.push(`${name}: ${error}`);
  }
  await page.close();
  assert.deepEqual(problems, [], `pages with errors:\n${problems.join('\n')}`);
});

for (const word of ['Mutex', 'fork', 'spawn_blocking']) {
  test(`search finds "${word}" and opens a result`, async () => {
    const page = await openPage();
    await page.goto(base + 'index.html');
    await page.click('#mdbook-search-toggle');
    const searchbar = page.locator('#mdbook-searchbar');
    await searchbar.pressSequentially(word);
    const results = page.locator('#mdbook-searchresults li a');
    // mdBook searches on keyup, and ignores keys pressed before its index has
    // loaded: press End until results show (or give up after 10 s).
    for (let tries = 0; tries < 20 && (await results.count()) === 0; tries++) {
      await page.waitForTimeout(500);
      await searchbar.press('End');
    }
    assert.ok((await results.count()) > 0, `no result for ${word}`);
    const target = await results.first().getAttribute('href');
    await results.first().click();
    await page.waitForURL((url) => url.href.includes(target.split('#')[0].split('?')[0]));
    const text = await page.locator('#mdbook-content main').innerText();
    assert.ok(text.toLowerCase().includes(word.toLowerCase()), `the page opened for "${word}" (${target}) does not mention it`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('the sidebar lists every chapter of SUMMARY.md', async () => {
  const summary = readFileSync(join(repo, 'src', 'SUMMARY.md'), 'utf8');
  // mdBook shows a title's `code` as plain text.
  const titles = [...summary.matchAll(/\[([^\]]+)\]\(([^)]+\.md)\)/g)].map((m) => m[1].replaceAll('`', ''));
  assert.ok(titles.length > 3);
  const page = await openPage();
  await page.goto(base + 'index.html');
  const links = await page.locator('#mdbook-sidebar a').allInnerTexts();
  const shown = links.map((text) => text.replace(/^\s*[\d.]+\s*/, '').trim());
  for (const title of titles) {
    assert.ok(shown.includes(title), `the sidebar does not list "${title}"; it lists: ${shown.join(' | ')}`);
  }
  await page.close();
});

test('the eye button reveals the hidden lines of an anchored listing', async () => {
  const page = await openPage();
  // The first page with a listing that has hidden lines (three-models shows
  // its programs whole).
  await page.goto(base + 'threads/spawn-join.html');
  const listing = page.locator('pre:has(code .boring)').first();
  const hidden = listing.locator('.boring').filter({ hasText: /\S/ }).first(); // a blank hidden line has no size
  assert.equal(await hidden.isVisible(), false, 'hidden lines are visible before the click');
  // The buttons of a listing show when the pointer is over it.
  await listing.hover();
  await listing.locator('button[title="Show hidden lines"]').click();
  assert.equal(await hidden.isVisible(), true, 'hidden lines stay hidden after the click');
  await listing.locator('button[title="Hide lines"]').click();
  assert.equal(await hidden.isVisible(), false, 'hidden lines stay visible after the second click');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('rust, console and toml blocks are highlighted; text blocks are left plain', async () => {
  const page = await openPage();
  const highlighted = (selector) =>
    page.evaluate((css) => [...document.querySelectorAll(css)].some((code) => code.querySelector('span[class^="hljs-"]')), selector);
  await page.goto(base + 'three-models.html');
  assert.ok(await highlighted('code.language-rust'), 'no highlighted rust block');
  assert.equal(await highlighted('code.language-text'), false, 'a text block was coloured');
  await page.goto(base + 'introduction.html');
  assert.ok(await highlighted('code.language-console'), 'no highlighted console block');
  await page.goto(base + 'setup.html');
  assert.ok(await highlighted('code.language-toml'), 'no highlighted toml block');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a play button on a listing the playground can run, none on one that forks', async () => {
  const page = await openPage();
  await page.goto(base + 'three-models.html');
  // print-numbers-thread uses only std; print-numbers-fork is marked noplayground.
  const threadListing = page.locator('pre.playground').filter({ hasText: 'thread::spawn(print_numbers)' });
  await threadListing.hover();
  assert.equal(await threadListing.locator('button.play-button').count(), 1, 'no play button on print-numbers-thread');
  const forkListing = page.locator('pre').filter({ hasText: 'unsafe { fork() }' });
  assert.equal(await forkListing.locator('button.play-button').count(), 0, 'a play button on the fork listing');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the theme can be switched to dark and back', async () => {
  const page = await openPage();
  await page.goto(base + 'introduction.html');
  const theme = () => page.evaluate(() => document.documentElement.className);
  // The theme menu stays open after a choice; open it only when it is closed.
  const choose = async (name) => {
    if (!(await page.locator(`#mdbook-theme-${name}`).isVisible())) await page.click('#mdbook-theme-toggle');
    await page.click(`#mdbook-theme-${name}`);
  };
  assert.match(await theme(), /\blight\b/);
  await choose('navy');
  assert.match(await theme(), /\bnavy\b/);
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--bg'));
  const dark = await background();
  await choose('light');
  assert.match(await theme(), /\blight\b/);
  assert.notEqual(dark, await background(), 'the page background did not change with the theme');
  assert.deepEqual(page.errors, []);
  await page.close();
});

// The layouts a reader sees: a phone (390 CSS px, the width of a common
// phone) and a desktop, each in the light theme and a dark one.
const layouts = [
  { name: 'phone-light', width: 390, height: 844, mobile: true, theme: 'light' },
  { name: 'phone-navy', width: 390, height: 844, mobile: true, theme: 'navy' },
  { name: 'desktop-light', width: 1280, height: 900, mobile: false, theme: 'light' },
  { name: 'desktop-coal', width: 1280, height: 900, mobile: false, theme: 'coal' },
];
const darkThemes = ['coal', 'navy', 'ayu'];
// Diagram text smaller than this, in CSS px, is not readable without
// zooming, on a phone as on a desktop.
const smallestReadableText = 11;

/** The smallest font size an SVG file sets, and its width and viewBox width. */
function svgMetrics(file) {
  const svg = readFileSync(file, 'utf8');
  const root = svg.match(/<svg\b[^>]*>/)[0];
  const viewBox = root.match(/viewBox="([^"]+)"/)?.[1].trim().split(/[\s,]+/).map(Number);
  const width = Number(root.match(/\bwidth="([\d.]+)"/)?.[1]);
  const sizes = [
    ...[...svg.matchAll(/font-size="([\d.]+)(?:px)?"/g)].map((m) => Number(m[1])),
    ...[...svg.matchAll(/font-size:\s*([\d.]+)px/g)].map((m) => Number(m[1])),
  ];
  // Text with no size of its own gets the browser's default, 16 px.
  if (!/<svg\b[^>]*font-size=/.test(svg)) sizes.push(16);
  return { smallest: Math.min(...sizes), width: width || viewBox[2], viewBoxWidth: viewBox ? viewBox[2] : width };
}

/** The smallest text of an SVG file of the book (its path on the server),
 *  as the browser computes it (font-size attributes, styles, inheritance),
 *  and the width of its drawing. */
const svgTextSizes = new Map();
async function svgTextSize(path) {
  if (!svgTextSizes.has(path)) {
    const page = await openPage();
    await page.goto(base + path.replace(/^\//, ''));
    svgTextSizes.set(path, await page.evaluate(() => {
      const root = document.documentElement;
      const sizes = [...root.querySelectorAll('text, tspan')]
        .filter((text) => text.textContent.trim() !== '' && text.getBBox().width > 0)
        .map((text) => parseFloat(getComputedStyle(text).fontSize));
      return { smallest: Math.min(...sizes), viewBoxWidth: root.viewBox.baseVal?.width || root.width.baseVal.value };
    }));
    await page.close();
  }
  return svgTextSizes.get(path);
}

/** What is wrong with the page as laid out now, found in the browser. */
function layoutProblems() {
  const problems = [];
  const width = document.documentElement.clientWidth;
  const describe = (element) => {
    const text = (element.textContent || element.getAttribute('src') || '').trim().replace(/\s+/g, ' ').slice(0, 50);
    return `<${element.tagName.toLowerCase()}${element.className && typeof element.className === 'string' ? '.' + element.className.trim().split(/\s+/).join('.') : ''}> "${text}"`;
  };
  const scrolls = (element) => /^(auto|scroll)$/.test(getComputedStyle(element).overflowX);
  // Content that runs past the window's edge, with no scrolling box of its
  // own around it, is cut off: the body clips it (mdBook sets overflow-x).
  for (const container of [document.documentElement, document.body, ...document.querySelectorAll('.page-wrapper, .page, .content, main')]) {
    if (container.scrollWidth > container.clientWidth + 1 && container !== document.documentElement) {
      problems.push(`<${container.tagName.toLowerCase()}${container.className ? '.' + container.className : ''}> is ${container.scrollWidth} px wide in ${container.clientWidth} px`);
    }
  }
  if (document.documentElement.scrollWidth > width + 1) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide in a ${width} px window`);
  const reported = new Set();
  for (const element of document.querySelectorAll('main *')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || (box.right <= width + 1 && box.left >= -1)) continue;
    // Only a box inside the text may scroll sideways (a code block, a
    // table's wrapper); mdBook's page containers scroll when anything
    // overflows, and that is the page overflowing.
    let ancestor = element.parentElement;
    while (ancestor && ancestor.tagName !== 'MAIN' && !scrolls(ancestor)) ancestor = ancestor.parentElement;
    if (ancestor && ancestor.tagName !== 'MAIN') continue;
    if ([...reported].some((outer) => outer.contains(element))) continue;
    reported.add(element);
    problems.push(`cut off at the window's edge (${Math.round(box.left)} to ${Math.round(box.right)} px of ${width}): ${describe(element)}`);
  }
  // Every output block says what it is; under a sample that does not
  // compile, that it is the compiler's output.
  const label = (code) => getComputedStyle(code, '::before').content.replace(/^"|"$/g, '');
  for (const code of document.querySelectorAll('pre > code.language-text')) {
    let before = code.parentElement.previousElementSibling;
    if (before?.classList.contains('hidden-lines-hint')) before = before.previousElementSibling;
    const afterCompileFail = Boolean(before?.matches('pre') && before.querySelector(':scope > code.compile_fail'));
    const expected = afterCompileFail ? 'Compiler output' : 'Output';
    const shown = label(code);
    if (shown !== expected) problems.push(`an output block labelled ${JSON.stringify(shown)}, not "${expected}": ${describe(code)}`);
  }
  // A copied command is the command alone, without the `$ ` prompt.
  for (const code of document.querySelectorAll('pre > code.language-console')) {
    if (code.innerText.startsWith('$')) problems.push(`the copy button would copy the prompt: ${describe(code)}`);
  }
  // A table wider than the page says that it scrolls (js/listings.js).
  for (const wrapper of document.querySelectorAll('main .table-wrapper')) {
    if (wrapper.scrollWidth > wrapper.clientWidth + 1 && getComputedStyle(wrapper, '::before').content === 'none') {
      problems.push(`a table wider than the page, with no word that it scrolls: ${describe(wrapper)}`);
    }
  }
  // A listing's name in a table cell stays on one line.
  for (const code of document.querySelectorAll('td a code')) {
    if (code.getClientRects().length > 1) problems.push(`a listing name broken across lines: ${describe(code)}`);
  }
  // No word of a caption's code (a listing's name, `cargo run -p NAME`) is
  // broken across lines; the caption may wrap between words, and a path
  // after a slash.
  for (const code of document.querySelectorAll('main p.caption code')) {
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (const word of text.data.matchAll(/[^\s/]+\/?/g)) {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (lines.size > 1) problems.push(`a caption breaks "${word[0]}" across lines: ${describe(code.parentElement)}`);
      }
    }
  }
  // A box that scrolls sideways (a code block, a table) can take the
  // keyboard's focus, and a table scrolled to its end keeps its first
  // column in view, on top of the cells that scroll under it.
  for (const box of document.querySelectorAll('main pre > code, main .table-wrapper')) {
    if (box.scrollWidth <= box.clientWidth + 1) continue;
    if (box.tabIndex < 0) problems.push(`a box that scrolls sideways that the keyboard cannot reach: ${describe(box)}`);
    if (!box.matches('.table-wrapper')) continue;
    box.scrollIntoView({ block: 'center', behavior: 'instant' });
    box.scrollTo({ left: box.scrollWidth, behavior: 'instant' });
    const edge = box.getBoundingClientRect();
    // Cells under mdBook's menu bar (at most 80 px at the top), or out of
    // the window, are not looked at for what covers them.
    const barBottom = 80;
    for (const row of box.querySelectorAll('tr')) {
      const cell = row.firstElementChild;
      const shown = cell.getBoundingClientRect();
      if (shown.width === 0) continue;
      if (shown.left < edge.left - 1 || shown.right > edge.right + 1) {
        problems.push(`scrolled to its end, a table's first column is out of view (${Math.round(shown.left)} to ${Math.round(shown.right)} px, the table ${Math.round(edge.left)} to ${Math.round(edge.right)} px): ${describe(cell)}`);
        break;
      }
      const top = document.elementFromPoint(shown.left + shown.width / 2, shown.top + shown.height / 2);
      if (shown.top >= barBottom && shown.bottom <= window.innerHeight && !cell.contains(top)) {
        problems.push(`scrolled to its end, a table's first column is covered by ${top ? describe(top) : 'nothing'}: ${describe(cell)}`);
        break;
      }
    }
    box.scrollTo({ left: 0, behavior: 'instant' });
  }
  window.scrollTo({ top: 0, behavior: 'instant' });
  return problems;
}

test('every page at phone and desktop widths, light and dark: nothing cut off, outputs labelled, diagrams readable', async () => {
  mkdirSync(screenshotDir, { recursive: true });
  const only = new RegExp(process.env.BOOK_PAGES ?? '');
  const pages = htmlPages(bookDir).filter((name) => !['print.html', '404.html', 'toc.html'].includes(name) && only.test(name)).sort();
  const problems = [];
  for (const layout of layouts) {
    const page = await openPage({
      viewport: { width: layout.width, height: layout.height },
      isMobile: layout.mobile,
      hasTouch: layout.mobile,
      theme: layout.theme,
    });
    for (const name of pages) {
      await page.goto(base + name, { waitUntil: 'load' });
      // Fonts loaded and two frames drawn: the layout a reader sees.
      await page.evaluate(() => document.fonts.ready.then(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))));
      const where = `${layout.name} ${name}`;
      assert.match(await page.evaluate(() => document.documentElement.className), new RegExp(`\\b${layout.theme}\\b`), `${where}: the theme did not apply`);
      for (const problem of await page.evaluate(layoutProblems)) problems.push(`${where}: ${problem}`);
      // Diagrams: the smallest text at least 11 px as shown, without
      // tapping or zooming (its font size in the file, scaled as the image
      // is); on a dark theme, not a white panel.
      const diagrams = await page.evaluate(() =>
        // The copy of each image that mdBook shows when it zooms is skipped.
        [...document.querySelectorAll('main img[src$=".svg"]')].filter((img) => !img.closest('.img-wrapper')).map((img) => ({
          // The file shown: a <picture> may choose another than src.
          src: new URL(img.currentSrc || img.src).pathname,
          shownWidth: img.getBoundingClientRect().width,
          filter: getComputedStyle(img).filter,
        })),
      );
      for (const diagram of diagrams) {
        const svg = await svgTextSize(diagram.src);
        const shown = (svg.smallest * diagram.shownWidth) / svg.viewBoxWidth;
        if (!(shown >= smallestReadableText)) {
          problems.push(`${where}: ${diagram.src} shows its smallest text at ${shown.toFixed(1)} px (${svg.smallest} px in a ${svg.viewBoxWidth} px wide drawing shown ${Math.round(diagram.shownWidth)} px wide), under ${smallestReadableText} px`);
        }
        if (darkThemes.includes(layout.theme) && !/invert/.test(diagram.filter)) {
          problems.push(`${where}: ${diagram.src} is not adapted to the dark theme (filter: ${diagram.filter})`);
        }
      }
      await page.screenshot({ path: join(screenshotDir, `${layout.name}-${name.replace(/\.html$/, '').replace(/\//g, '-')}.png`), fullPage: true });
    }
    for (const error of page.errors) problems.push(`${layout.name}: ${error}`);
    await page.close();
  }
  assert.deepEqual(problems, [], `layout problems:\n${problems.join('\n')}`);
});

test('a listing with hidden lines says how many, and the hint works like the eye button', async () => {
  const page = await openPage();
  // The first page with a listing that has hidden lines (three-models shows
  // its programs whole).
  await page.goto(base + 'threads/spawn-join.html');
  const listing = page.locator('pre:has(code .boring)').first();
  const hint = listing.locator('xpath=following-sibling::*[1]');
  assert.equal(await hint.getAttribute('class'), 'hidden-lines-hint', 'no hint right under a listing with hidden lines');
  assert.ok(await hint.isVisible(), 'the hint is not visible without the pointer over the listing');
  const hiddenLines = await listing.evaluate((pre) =>
    [...pre.querySelectorAll('.boring')].reduce((n, span) => n + span.textContent.replace(/\n$/, '').split('\n').length, 0));
  assert.match(await hint.innerText(), new RegExp(`^${hiddenLines} lines? hidden`), `the hint does not say ${hiddenLines} lines are hidden`);
  const boring = listing.locator('.boring').filter({ hasText: /\S/ }).first();
  await hint.click();
  assert.ok(await boring.isVisible(), 'the hint did not reveal the hidden lines');
  assert.match(await hint.innerText(), /^Hide/);
  await listing.hover();
  await listing.locator('button[title="Hide lines"]').click();
  assert.equal(await boring.isVisible(), false, 'the eye button did not hide the lines again');
  assert.match(await hint.innerText(), /hidden/, 'the hint did not follow the eye button');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the copy button copies a command without its "$ " prompt', async () => {
  const page = await openPage();
  await page.goto(base + 'introduction.html');
  const block = page.locator('pre:has(> code.language-console)').first();
  const prompt = await block.locator('.command-prompt').first().evaluate((span) => getComputedStyle(span, '::before').content);
  assert.equal(prompt, '"$ "', 'the command does not show a prompt on screen');
  // ClipboardJS copies the selection of a hidden text area: record it.
  await page.evaluate(() => document.addEventListener('copy', () => { window.copiedText = document.getSelection().toString(); }));
  await block.hover();
  await block.locator('button.clip-button').click();
  const copied = await page.evaluate(() => window.copiedText);
  assert.equal(copied?.trim(), 'cargo run -p print-numbers-thread');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('mdbook test stops at once and names the command that tests the book', () => {
  const started = Date.now();
  const run = runMdbook('test');
  assert.notEqual(run.status, 0, `mdbook test passed, so README.md is wrong:\n${run.output}`);
  assert.match(run.output, /Run cargo test instead/, `mdbook test did not point at cargo test:\n${run.output}`);
  assert.doesNotMatch(run.output, /Testing chapter|running \d+ tests?/, 'mdbook test ran rustdoc before stopping');
  assert.ok(Date.now() - started < 30_000, 'mdbook test took more than 30 s to stop');
});

test('a diagram opens its full-size file on a phone, and mdBook\'s zoom on a desktop', async () => {
  const phone = await openPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(base + 'async/runtime.html');
  await phone.locator('a.full-size-diagram img[src$="scheduler.svg"]').tap();
  await phone.waitForURL(/scheduler\.svg$/);
  const natural = await phone.evaluate(() => document.documentElement.getBoundingClientRect().width);
  const { width } = svgMetrics(join(repo, 'src', 'async', 'scheduler.svg'));
  assert.equal(Math.round(natural), width, `the diagram does not open at its own width (${width} px)`);
  await phone.close();

  const desktop = await openPage({ viewport: { width: 1280, height: 900 } });
  await desktop.goto(base + 'async/runtime.html');
  await desktop.locator('a.full-size-diagram img[src$="scheduler.svg"]').click();
  assert.ok(desktop.url().endsWith('runtime.html'), 'on a desktop the click left the page');
  assert.ok(await desktop.locator('.img-wrapper img[src$="scheduler.svg"]').isVisible(), 'mdBook\'s zoom did not open');
  await desktop.locator('.img-wrapper').click();
  assert.equal(await desktop.locator('.img-wrapper img[src$="scheduler.svg"]').isVisible(), false, 'the zoom did not close');
  assert.deepEqual(desktop.errors, []);
  await desktop.close();
});

test('a link to a listing from the Python-to-Rust table lands on its caption, below the menu bar', async () => {
  const page = await openPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await page.goto(base + 'appendix/python-to-rust.html');
  // The first link named after a listing: its text is the fragment it names.
  const links = page.locator('main a[href*="#"]:has(code)');
  let link = null;
  let name = '';
  for (let i = 0; i < await links.count(); i++) {
    const candidate = links.nth(i);
    const text = (await candidate.innerText()).trim();
    if ((await candidate.getAttribute('href')).endsWith(`#${text}`)) {
      link = candidate;
      name = text;
      break;
    }
  }
  assert.ok(link, 'the Python-to-Rust table links no listing by its name');
  await link.scrollIntoViewIfNeeded();
  await link.tap();
  await page.waitForURL(new RegExp(`#${name}$`));
  await page.waitForTimeout(300);
  const landing = await page.evaluate((id) => {
    const caption = document.getElementById(id);
    const bar = document.querySelector('#mdbook-menu-bar, #menu-bar');
    return {
      isCaption: caption?.matches('p.caption') ?? false,
      top: caption?.getBoundingClientRect().top,
      barBottom: bar ? bar.getBoundingClientRect().bottom : 0,
      height: window.innerHeight,
    };
  }, name);
  assert.ok(landing.isCaption, `#${name} is not a listing's caption`);
  assert.ok(landing.top >= landing.barBottom - 1 && landing.top < landing.height / 2,
    `the caption of ${name} is at ${landing.top} px, not just below the menu bar (${landing.barBottom} px)`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** The pages whose path matches BOOK_PAGES (all by default), as src/ files. */
function sourcePages() {
  const only = new RegExp(process.env.BOOK_PAGES ?? '');
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : []);
  return walk(join(repo, 'src'))
    .map((file) => ({ file, html: relative(join(repo, 'src'), file).replace(/\.md$/, '.html').replace(/(^|\/)README\.html$/, '$1index.html') }))
    .filter(({ html }) => existsSync(join(bookDir, html)) && only.test(html))
    .sort((a, b) => a.html.localeCompare(b.html));
}

/** The program each Rust block of a page includes, in order: the file's
 *  text without its `// ANCHOR:` and `// ANCHOR_END:` lines. */
function includedPrograms(markdownFile) {
  const markdown = readFileSync(markdownFile, 'utf8');
  return [...markdown.matchAll(/^```rust[^\n]*\n([^\n]*)/gm)].map(([, first]) => {
    const include = first.match(/^\{\{#rustdoc_include ([^:}]+)(?::[^}]*)?\}\}$/);
    assert.ok(include, `${markdownFile}: a Rust block that does not include its listing: ${first}`);
    const source = resolve(dirname(markdownFile), include[1]);
    const program = readFileSync(source, 'utf8').split('\n').filter((line) => !/^\s*\/\/ ANCHOR(_END)?:/.test(line)).join('\n');
    return { source: relative(repo, source), program };
  });
}

test('the copy button of every Rust block copies its whole program, hidden lines included', async () => {
  const page = await openPage({ permissions: ['clipboard-read', 'clipboard-write'] });
  const problems = [];
  let copies = 0;
  for (const { file, html } of sourcePages()) {
    const programs = includedPrograms(file);
    if (programs.length === 0) continue;
    await page.goto(base + html, { waitUntil: 'load' });
    const blocks = page.locator('main pre:has(> code.language-rust)');
    assert.equal(await blocks.count(), programs.length, `${html}: ${await blocks.count()} Rust blocks shown, ${programs.length} in ${relative(repo, file)}`);
    for (const [index, { source, program }] of programs.entries()) {
      const block = blocks.nth(index);
      const button = block.locator('button.clip-button');
      // An exercise's solution is inside a closed <details>: open it.
      await block.evaluate((pre) => {
        for (let details = pre.closest('details'); details; details = details.parentElement.closest('details')) details.open = true;
      });
      await block.hover();
      await button.click();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      copies += 1;
      const where = `${html}, Rust block ${index + 1} (${source})`;
      if (copied !== program) {
        const lines = [copied.split('\n'), program.split('\n')];
        const at = lines[1].findIndex((line, n) => line !== lines[0][n]);
        problems.push(`${where}: the copy differs from the listing at line ${at + 1}: copied ${JSON.stringify(lines[0][at])}, the listing has ${JSON.stringify(lines[1][at])}`);
      }
      const excerpt = await block.evaluate((pre) => pre.querySelector('code .boring') !== null);
      const title = await button.getAttribute('title');
      if (excerpt && title !== 'Copy the whole program') problems.push(`${where}: shows an excerpt, and its copy button says "${title}"`);
      await page.evaluate(() => navigator.clipboard.writeText(''));
    }
  }
  assert.ok(copies > 0 || process.env.BOOK_PAGES, 'no Rust block was copied');
  assert.deepEqual(page.errors, []);
  await page.close();
  assert.deepEqual(problems, [], `copies that are not the listing's program (${problems.length} of ${copies}):\n${problems.join('\n')}`);
});

// axe-core's WCAG 2 A and AA rules, run on every page in the light theme and
// the dark one readers get by default (navy).
const axeSource = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
// (WCAG 2.2's target-size is left out: mdBook's sidebar links are 21 px tall.)
const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

test('axe-core finds no WCAG 2 A/AA violation on any page, light and navy', async () => {
  const pages = sourcePages().map(({ html }) => html);
  const problems = [];
  const counts = {};
  for (const theme of ['light', 'navy']) {
    const page = await openPage({ theme });
    counts[theme] = {};
    for (const name of pages) {
      await page.goto(base + name, { waitUntil: 'load' });
      await page.evaluate(() => document.fonts.ready);
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate((tags) =>
        window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
          .then((results) => results.violations.map((rule) => ({
            id: rule.id,
            nodes: rule.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary.split('\n').slice(1, 2).join('').trim()}`),
          }))), axeTags);
      for (const rule of violations) {
        counts[theme][rule.id] = (counts[theme][rule.id] ?? 0) + rule.nodes.length;
        for (const node of rule.nodes.slice(0, 3)) problems.push(`${theme} ${name}: ${rule.id} (${rule.nodes.length} nodes), e.g. ${node}`);
      }
    }
    for (const error of page.errors) problems.push(`${theme}: ${error}`);
    await page.close();
  }
  console.log(`axe-core violations on ${pages.length} pages (nodes per rule): ${JSON.stringify(counts)}`);
  assert.deepEqual(problems, [], `axe-core violations:\n${problems.join('\n')}`);
});
