// The tracker's /reports dashboard in headless Chromium: sign in with a
// reader key using the keyboard, switch to Welsh, filter, download the CSV,
// sign out. axe-core (WCAG 2.0/2.1/2.2 A+AA) must find no serious or
// critical issue on any page state; no request may leave the origin; a
// screenshot of each state is written to OUT.
//
//   node tests/browser/reports.mjs http://127.0.0.1:PORT READER_TOKEN OUT_DIR
import { readFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const [ORIGIN, TOKEN, OUT] = process.argv.slice(2);
if (!ORIGIN || !TOKEN || !OUT) {
  console.error('usage: node reports.mjs ORIGIN READER_TOKEN OUT_DIR');
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });
const AXE = readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const problems = [];
const check = (ok, msg) => { if (!ok) problems.push(msg); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  headless: true,
});
const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, acceptDownloads: true });
const outside = [];
await context.route('**/*', (route) => {
  const u = route.request().url();
  if (u.startsWith(ORIGIN) || u.startsWith('about:') || u.startsWith('data:')) return route.continue();
  outside.push(u);
  return route.abort();
});
const page = await context.newPage();
page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });

async function state(name) {
  await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    resultTypes: ['violations'],
  }));
  for (const v of r.violations) {
    if (v.impact === 'serious' || v.impact === 'critical') {
      problems.push(`axe ${v.impact} on ${name}: ${v.id} — ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`);
    }
  }
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  await page.pdf?.({ path: join(OUT, `${name}.pdf`), format: 'A4' }).catch(() => null);
  console.log(`ok: ${name} (${r.violations.length} axe findings of any impact)`);
}

// 1. The sign-in page, reached and used with the keyboard only.
await page.goto(`${ORIGIN}/reports`);
await state('1-sign-in');
await page.keyboard.press('Tab');
check(await page.evaluate(() => document.activeElement?.classList.contains('skip')), 'first Tab does not reach the skip link');
// Tab until the key field has focus, type the key, Enter submits.
for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.id === 'key')); i++) await page.keyboard.press('Tab');
check(await page.evaluate(() => document.activeElement?.id === 'key'), 'the key field cannot be reached with Tab');
await page.keyboard.type(TOKEN);
await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
check((await page.textContent('h1'))?.includes('Uptake and funding'), 'sign-in did not open the dashboard');
const cookies = await context.cookies();
const session = cookies.find((c) => c.name === 'pecyn_session');
check(session && session.httpOnly && session.sameSite === 'Strict', `session cookie flags: ${JSON.stringify(session)}`);
check(!(await page.content()).includes(TOKEN), 'the key appears in the page');
await state('2-dashboard-en');

// 2. Switch to Welsh: the filters stay.
await page.goto(`${ORIGIN}/reports?from=2026-01-01&to=2026-12-31`);
await Promise.all([page.waitForNavigation(), page.click('a[hreflang="cy"]')]);
check(await page.evaluate(() => document.documentElement.lang === 'cy'), 'html lang is not cy after the switch');
check((await page.textContent('h1'))?.includes('Defnydd a chyllid'), 'Welsh heading missing');
check(page.url().includes('from=2026-01-01') && page.url().includes('to=2026-12-31'), `the switch lost the filters: ${page.url()}`);
await state('3-dashboard-cy');

// 3. Filter by language (Welsh completions only), with the keyboard.
await page.focus('#lang');
await page.selectOption('#lang', 'cy');
await Promise.all([page.waitForNavigation(), page.click('.filters button[type=submit]')]);
check(page.url().includes('lang=cy') && page.url().includes('ui=cy'), `filter not applied: ${page.url()}`);
check(await page.evaluate(() => document.querySelector('#lang').value === 'cy'), 'the filter is not shown as selected');
await state('4-filtered-cy');

// 4. Download the CSV: BOM, Welsh letters intact, no formula cells.
const link = page.locator('.download a').first();
const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
const path = join(OUT, 'download.csv');
await dl.saveAs(path);
const bytes = readFileSync(path);
check(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf, 'CSV has no BOM');
const text = bytes.toString('utf8').slice(1);
check(/[ŵŷâ]/.test(text) || text.includes('Mis'), `CSV lost the Welsh: ${text.slice(0, 200)}`);
for (const line of text.split('\r\n')) {
  for (const cell of line.split(',')) check(!/^[=+\-@\t\r]/.test(cell), `CSV formula-like cell: ${cell}`);
}
console.log('ok: CSV downloaded');

// 5. The public page, and sign out.
await page.goto(`${ORIGIN}/reports/joined?ui=cy`);
await state('5-joined-cy');
await page.goto(`${ORIGIN}/reports`);
await Promise.all([page.waitForNavigation(), page.click('.signout button')]);
check(await page.isVisible('#key'), 'sign-out did not return to the sign-in page');
const after = await page.request.get(`${ORIGIN}/reports/uptake.csv`);
check(after.status() === 401, `CSV still served after sign-out: ${after.status()}`);
await state('6-signed-out');

check(outside.length === 0, `requests left the origin: ${outside.join(', ')}`);
await browser.close();
if (problems.length) {
  console.log(`FAILED: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('dashboard: 0 failed');
