// Opens the rendered book in headless Chromium, served on 127.0.0.1, and does
// what a reader does: opens every page, searches, reads the sidebar, reveals
// hidden lines, switches themes. Saves screenshots of three pages for review.
//
//   mdbook build && (cd tools/browser && npm ci && npm test)
//
// BOOK_DIR (default: ../../book, or its html/ folder when mdBook wrote one per
// renderer) is the built book; SCREENSHOT_DIR (default: ../../target/browser)
// receives the screenshots. CHROMIUM (default: /usr/bin/chromium) is Debian's.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
let bookDir = process.env.BOOK_DIR ?? join(repo, 'book');
if (existsSync(join(bookDir, 'html', 'index.html'))) bookDir = join(bookDir, 'html');
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

before(async () => {
  assert.ok(existsSync(join(bookDir, 'index.html')), `no built book in ${bookDir}: run mdbook build first`);
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
async function openPage() {
  const page = await browser.newPage();
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
  const titles = [...summary.matchAll(/\[([^\]]+)\]\(([^)]+\.md)\)/g)].map((m) => m[1]);
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
  await page.goto(base + 'three-models.html');
  const listing = page.locator('pre:has(code .boring)').first();
  const hidden = listing.locator('.boring').first();
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
  await page.goto(base + 'async/index.html');
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

test('screenshots of three pages, and a diagram on the dark theme, for review', async () => {
  mkdirSync(screenshotDir, { recursive: true });
  const page = await openPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  for (const name of ['introduction.html', 'three-models.html', 'async/index.html']) {
    await page.goto(base + name);
    const file = join(screenshotDir, name.replace(/[/.]/g, '-') + '.png');
    await page.screenshot({ path: file, fullPage: false });
    assert.ok(statSync(file).size > 10_000, `${file} is nearly empty`);
  }
  // A diagram on a dark theme: the SVGs carry their own light background.
  await page.goto(base + 'async/runtime.html');
  await page.evaluate(() => localStorage.setItem('mdbook-theme', 'navy'));
  await page.reload();
  await page.locator('img[src$="scheduler.svg"]').first().scrollIntoViewIfNeeded();
  assert.match(await page.evaluate(() => document.documentElement.className), /\bnavy\b/);
  await page.screenshot({ path: join(screenshotDir, 'async-runtime-dark.png') });
  await page.close();
});
