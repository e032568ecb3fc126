import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { resolve, join, extname } from 'node:path';
const bookDir = resolve('../../book');
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json':'application/json' };
const server = createServer((q, r) => { let f = resolve(bookDir, '.' + decodeURIComponent(new URL(q.url,'http://x').pathname)); if (existsSync(f) && statSync(f).isDirectory()) f = join(f,'index.html'); if (!existsSync(f)) { r.writeHead(404); r.end(); return; } r.writeHead(200, {'content-type': types[extname(f)] ?? 'application/octet-stream'}); r.end(readFileSync(f)); });
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const [name, text, width, height, theme, out] = process.argv.slice(2);
const ctx = await browser.newContext({ viewport: { width: +width, height: +height } });
const page = await ctx.newPage();
if (theme) { await page.goto(base + name); await page.evaluate((t) => localStorage.setItem('mdbook-theme', t), theme); }
await page.goto(base + name);
const y = await page.evaluate((t) => { const e = [...document.querySelectorAll('main p, main h2, main img, main pre')].find(e => e.textContent.includes(t) || (e.src ?? '').includes(t)); e.scrollIntoView(); return window.scrollY; }, text);
await page.waitForTimeout(300);
await page.screenshot({ path: `../../target/issue16/${out}.png` });
await browser.close(); server.close();
