// End to end: packages report completions to the tracker.
//
//   node tests/browser/loop.mjs --pecyn PATH/TO/pecyn --modules DIR --module ID
//
// Starts the real tracker (`pecyn tracker serve`, SQLite in a temp dir, a
// loopback port), creates an organisation and keys with the admin commands,
// builds one module with --tracker-url/--tracker-key (publishing the
// catalogue with --publish), and walks its packages with the keyboard in
// Chromium inside the scorm-again LMS frame. See README.md ("The loop").
import { createServer } from 'node:http';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { FLAGS, readZip, Failure, check, sco, press, expectPage, answer, statusOf, savedData, fresh } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const AXE = readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const PECYN = opt('--pecyn'), MODULES = opt('--modules'), MODULE = opt('--module');
if (!PECYN || !MODULES || !MODULE) { console.error('usage: node loop.mjs --pecyn BIN --modules DIR --module ID'); process.exit(2); }
const TMP = mkdtempSync(join(tmpdir(), 'pecyn-loop-'));
const DB = `sqlite://${join(TMP, 'tracker.db')}`;
const ADMIN_TOKEN = 'loop-test-platform-token-0123456789abcdef';
const problems = [];
const t0 = Date.now();
const say = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

// ---------- the tracker ----------
function admin(...args) {
  return JSON.parse(execFileSync(PECYN, ['tracker', 'admin', '--database-url', DB, ...args], { encoding: 'utf8' }));
}
let tracker = null;
async function startTracker(listen) {
  const child = spawn(PECYN, ['tracker', 'serve', '--database-url', DB, '--listen', listen, '--key-cache-ms', '0'],
    { env: { ...process.env, PECYN_TRACKER_ADMIN_TOKEN: ADMIN_TOKEN, RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += d; const m = /listening on (http:\/\/\S+)/.exec(out); if (m) resolve(m[1]); });
    child.on('exit', (code) => reject(new Error(`the tracker exited with ${code} before listening`)));
    setTimeout(() => reject(new Error('the tracker did not start in 30 s')), 30000);
  });
  tracker = child;
  return url;
}
async function stopTracker() {
  const child = tracker;
  tracker = null;
  await new Promise((r) => { child.on('exit', r); child.kill('SIGTERM'); });
}
async function events(base, token, learner) {
  const r = await fetch(`${base}/api/v1/events?learner=${encodeURIComponent(learner)}&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
  return (await r.json()).events;
}
// Waits until the learner's events settle (the runtime sends after the page's work, and on pagehide).
async function settled(base, token, learner, want) {
  let got = [];
  for (let i = 0; i < 100; i++) {
    got = await events(base, token, learner);
    if (got.length >= want) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 300)); // anything more would be a duplicate: give it the chance to show
  return events(base, token, learner);
}
const verbs = (evs, pkgId) => evs.filter((e) => e.package_id === pkgId).map((e) => e.verb).sort().join(',');

// ---------- the LMS page and the packages ----------
const packages = new Map();
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
const LMS_FILES = { '/lms/frame.html': join(HERE, 'lms.html'), '/lms/scorm-again.js': join(HERE, 'node_modules', 'scorm-again', 'dist', 'scorm-again.js') };
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  let body = null;
  if (LMS_FILES[url.pathname]) body = readFileSync(LMS_FILES[url.pathname]);
  const m = /^\/pkg\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (m && packages.has(m[1])) body = packages.get(m[1]).files.get(decodeURIComponent(m[2])) || null;
  if (!body) { res.writeHead(404); res.end('not found'); return; }
  res.writeHead(200, { 'content-type': TYPES[extname(url.pathname)] || 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const ORIGIN = `http://127.0.0.1:${server.address().port}`;
function addPackages(dir, tag) {
  for (const z of readdirSync(dir).filter((f) => f.endsWith('.zip'))) {
    const m = /^(.+)-(en|cy)-(standard|accessible)-(scorm12|scorm2004)\.zip$/.exec(z);
    const files = readZip(join(dir, z));
    const html = files.get('index.html').toString('utf8');
    const cfg = JSON.parse(/<script type="application\/json" id="pecyn-config">([\s\S]*?)<\/script>/.exec(html)[1]);
    const name = `${tag}-${z}`;
    packages.set(name, { name, lang: m[2], variant: m[3], scorm: m[4] === 'scorm12' ? '1.2' : '2004', files, html, cfg,
      id: `pecyn_${m[1].replace(/-/g, '_')}_${m[2]}_${m[3]}_${m[4]}` });
  }
}

// ---------- one learner's launch, walked with the keyboard ----------
// The console may hold only the browser's own lines about the tracker request failing.
function allowed(msg, trackerUrl) {
  const loc = (msg.location() && msg.location().url) || '';
  const text = msg.text();
  return (loc.startsWith(trackerUrl) && /^Failed to load resource: /.test(text))
    || (text.includes(`'${trackerUrl}`) && /has been blocked by CORS policy|net::ERR_/.test(text));
}
async function launch(context, pkg, data, trackerUrl) {
  const page = await context.newPage();
  const run = { page, outside: [], console: [] };
  page.on('console', (m) => { if ((m.type() === 'error' || m.type() === 'warning') && !allowed(m, trackerUrl)) run.console.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => run.console.push(`uncaught: ${e.message}`));
  await page.goto(`${ORIGIN}/lms/frame.html`);
  await page.evaluate(([v, url, d]) => window.lms.launch(v, url, d), [pkg.scorm, `${ORIGIN}/pkg/${pkg.name}/index.html`, data]);
  run.f = await sco(page);
  return run;
}
async function newContext(browser, trackerUrl, outside) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 }, reducedMotion: 'reduce' });
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(ORIGIN) || u.startsWith(trackerUrl) || u.startsWith('about:')) return route.continue();
    outside.push(u);
    return route.abort();
  });
  return context;
}
// Start, every page with Next, the quiz all right, Finish; then the page closes.
async function walkAndPass(run, pkg) {
  const { page, f } = run;
  const { pages, quiz } = pkg.cfg;
  const t = Date.now();
  await press(page, f, 'start-button');
  for (let i = 1; i < pages.length - 2; i++) { await expectPage(f, pages[i]); await press(page, f, 'next-button'); }
  await expectPage(f, pages[pages.length - 2]);
  for (const q of quiz) await answer(page, f, `quiz-${q.id}`, q.correct);
  await press(page, f, 'quiz-submit');
  await expectPage(f, 'results');
  await press(page, f, 'finish-button');
  check(await f.evaluate(() => !document.getElementById('notice-finished').hidden), 'Finish: no "you have finished" notice');
  check(await f.evaluate(() => document.getElementById('notice-error').hidden), 'the "progress could not be saved" notice is showing');
  const ms = Date.now() - t;
  const rec = await page.evaluate(() => ({ cmi: window.lms.cmi(), calls: window.lms.calls }));
  for (const c of rec.calls) {
    check(c.error === '0' || (c.fn === 'GetValue' && c.error === '403'), `${c.fn}(${c.args.join(', ')}) → ${c.result}, error ${c.error}`);
  }
  await page.close(); // pagehide: what is unsent goes as keepalive requests
  return { ms, rec };
}
// The SCORM calls with their values, except times (which differ run to run).
const callShape = (calls) => calls.map((c) => `${c.fn}(${c.args.map((a, i) => (i === 1 && /time|timestamp/.test(c.args[0]) ? '<time>' : a)).join(', ')}) → ${c.result}/${c.error}`).join('\n');

// ---------- run ----------
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: FLAGS, headless: true });
try {
  const base = await startTracker('127.0.0.1:0');
  const port = new URL(base).port;
  say(`tracker at ${base}`);
  admin('create-org', '--code', 'loop', '--name-en', 'Loop Council', '--name-cy', 'Cyngor Dolen', '--kind', 'welsh_principal_council', '--region', 'Wales');
  const ingest = admin('issue-key', '--org', 'loop', '--role', 'ingest').token;
  const orgAdmin = admin('issue-key', '--org', 'loop', '--role', 'org-admin').token;

  // Build with reporting (publishing the catalogue), and without (the baseline).
  const withDir = join(TMP, 'with'), withoutDir = join(TMP, 'without');
  const common = ['build', '--modules', MODULES, '--only', MODULE, '--lang', 'en', '--lang', 'cy'];
  execFileSync(PECYN, [...common, '--out', withDir, '--tracker-url', base, '--tracker-key', ingest, '--publish', base],
    { env: { ...process.env, PECYN_PUBLISH_TOKEN: ADMIN_TOKEN }, stdio: ['ignore', 'inherit', 'inherit'] });
  const listed = await (await fetch(`${base}/api/v1/catalogue`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  check(listed.packages.filter((p) => p.module === MODULE).length === 8, `--publish: the tracker lists ${JSON.stringify(listed).slice(0, 300)}`);
  execFileSync(PECYN, [...common, '--scorm', '1.2', '--variant', 'standard', '--out', withoutDir], { stdio: ['ignore', 'inherit', 'inherit'] });
  addPackages(withDir, 'with');
  addPackages(withoutDir, 'without');
  const pick = (tag, lang, variant, scorm) => packages.get(`${tag}-${MODULE}-${lang}-${variant}-${scorm === '1.2' ? 'scorm12' : 'scorm2004'}.zip`);
  const matrix = [['en', 'standard', '1.2'], ['cy', 'accessible', '1.2'], ['en', 'accessible', '2004'], ['cy', 'standard', '2004']]
    .map(([l, v, s]) => pick('with', l, v, s));
  for (const p of matrix) check(p && p.cfg.report && p.files.has('assets/report.js'), 'a package built with --tracker-url lacks reporting');
  const baselinePkg = pick('without', 'en', 'standard', '1.2');
  check(!baselinePkg.cfg.report && !baselinePkg.files.has('assets/report.js'), 'a package built without --tracker-url carries reporting');

  // 1. Tracker up: each package walked and passed by its own learner, the page closed.
  const upRuns = new Map();
  for (const pkg of matrix) {
    const outside = [], learner = `a-${pkg.name}`;
    const context = await newContext(browser, base, outside);
    const run = await launch(context, pkg, fresh(pkg, learner), base);
    const { ms, rec } = await walkAndPass(run, pkg);
    upRuns.set(pkg.name, rec);
    const evs = await settled(base, orgAdmin, learner, 3);
    const s = statusOf(pkg, rec.cmi);
    const label = `tracker up, ${pkg.lang} ${pkg.variant} SCORM ${pkg.scorm}`;
    if (verbs(evs, pkg.id) !== 'completed,passed,started' || evs.length !== 3) problems.push(`${label}: tracker holds ${JSON.stringify(evs.map((e) => [e.package_id, e.verb]))}, want started, completed, passed once each`);
    const pass = evs.find((e) => e.verb === 'passed');
    if (s.status !== (pkg.scorm === '1.2' ? 'passed' : 'completed/passed')) problems.push(`${label}: scorm-again status ${s.status}`);
    if (!pass || Number(pass.score) !== Number(s.raw)) problems.push(`${label}: tracker score ${pass && pass.score}, scorm-again ${s.raw}`);
    if (!pass || !(pass.duration_s >= 0)) problems.push(`${label}: no time spent on the pass: ${JSON.stringify(pass)}`);
    const report = admin('report', '--org', 'loop').by_package.filter((r) => r.package_id === pkg.id && r.verb === 'passed');
    if (report.length !== 1 || report[0].events !== 1 || report[0].lang !== pkg.lang || report[0].variant !== pkg.variant) problems.push(`${label}: report rows for passed: ${JSON.stringify(report)}`);
    problems.push(...outside.map((u) => `${label}: request left the package: ${u}`), ...run.console.map((c) => `${label}: console ${c}`));
    await context.close();
    say(`${label}: walked in ${ms} ms; tracker: ${verbs(evs, pkg.id)}`);
  }

  // The privacy section: on the accessibility page of a reporting package, in its language, naming
  // the tracker, and clean under axe-core (the main suite never sees it: it builds without a tracker).
  const STRINGS = { en: readFileSync(join(HERE, '..', '..', 'templates', 'strings', 'en.toml'), 'utf8'),
    cy: readFileSync(join(HERE, '..', '..', 'templates', 'strings', 'cy.toml'), 'utf8') };
  for (const pkg of [matrix[0], matrix[1]]) {
    const heading = JSON.parse(/^privacy_heading = ("(?:[^"\\]|\\.)*")$/m.exec(STRINGS[pkg.lang])[1]);
    const out = [];
    const ctx = await newContext(browser, base, out);
    const page = await ctx.newPage();
    await page.goto(`${ORIGIN}/pkg/${pkg.name}/index.html`);
    const f = await sco(page);
    await f.evaluate(() => { document.getElementById('contents-toggle').click(); document.querySelector('#contents-list a[data-page="about"]').click(); });
    await expectPage(f, 'about');
    const about = await f.evaluate(() => document.getElementById('page-about').innerText);
    if (!about.includes(heading) || !about.includes(new URL(base).host)) problems.push(`${pkg.lang} privacy section: no \`${heading}\` naming ${new URL(base).host} on the accessibility page`);
    await f.evaluate(AXE);
    const r = await f.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] }));
    for (const v of r.violations) if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${pkg.lang} accessibility page with the privacy section: axe ${v.impact} ${v.id}`);
    problems.push(...out.map((u) => `${pkg.lang} privacy page: request left the package: ${u}`));
    await ctx.close();
  }
  say('privacy section checked in both languages');

  // 2. Tracker stopped during the session: the learner notices nothing; the events wait.
  await stopTracker();
  const downContexts = [];
  for (const pkg of [matrix[0], matrix[3]]) {
    const label = `tracker down, ${pkg.lang} SCORM ${pkg.scorm}`, learner = `b-${pkg.name}`;
    const out = [];
    const ctx = await newContext(browser, base, out);
    const run = await launch(ctx, pkg, fresh(pkg, learner), base);
    const { rec } = await walkAndPass(run, pkg);
    const asB = (v) => String(v).replace(`a-${pkg.name}`, learner);
    const want = callShape(upRuns.get(pkg.name).calls.map((c) => ({ ...c, args: c.args.map(asB), result: asB(c.result) })));
    if (callShape(rec.calls) !== want) problems.push(`${label}: SCORM calls differ from the run with the tracker up:\n${callShape(rec.calls)}\n--- want ---\n${want}`);
    problems.push(...out.map((u) => `${label}: request left the package: ${u}`), ...run.console.map((c) => `${label}: console ${c}`));
    downContexts.push({ pkg, ctx, learner, cmi: rec.cmi, label });
  }
  say('tracker down: two walk-throughs done');

  // Baseline, just before: the same walk on a package built without a tracker.
  let outside = [];
  let context = await newContext(browser, base, outside);
  const baseRun = await launch(context, baselinePkg, fresh(baselinePkg, 'baseline'), base);
  const baseline = await walkAndPass(baseRun, baselinePkg);
  await context.close();
  problems.push(...outside.map((u) => `baseline: request left the package: ${u}`), ...baseRun.console.map((c) => `baseline: console ${c}`));
  say(`baseline (no reporting): walked in ${baseline.ms} ms`);

  // 3. A tracker answering 500, then one answering nothing for 30 s, on the same address.
  for (const mode of ['500', 'hang']) {
    const hanging = [];
    let posts = 0;
    const fake = createServer((req, res) => {
      if (req.method === 'POST') posts += 1;
      const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization, content-type', 'access-control-allow-methods': 'POST' };
      if (req.method === 'OPTIONS') { res.writeHead(204, cors); res.end(); return; }
      if (mode === '500') { res.writeHead(500, { ...cors, 'content-type': 'application/json' }); res.end('{"error":{"code":"internal","message":"boom"}}'); return; }
      hanging.push(setTimeout(() => { res.writeHead(200, cors); res.end(); }, 30000));
    });
    await new Promise((r) => fake.listen(Number(port), '127.0.0.1', r));
    const pkg = matrix[0], out = [];
    const ctx = await newContext(browser, base, out);
    const run = await launch(ctx, pkg, fresh(pkg, `c-${mode}`), base);
    const { ms } = await walkAndPass(run, pkg);
    await ctx.close();
    hanging.forEach(clearTimeout);
    fake.closeAllConnections();
    await new Promise((r) => fake.close(r));
    const label = `tracker ${mode === '500' ? 'answering 500' : 'answering nothing'}`;
    problems.push(...out.map((u) => `${label}: request left the package: ${u}`), ...run.console.map((c) => `${label}: console ${c}`));
    // Generous for a shared machine; reporting waits 20 s before giving up on a request, so any wait on it would show.
    if (!posts) problems.push(`${label}: the package never tried to send (the test proves nothing)`);
    if (ms > baseline.ms * 1.5 + 8000) problems.push(`${label}: the walk-through took ${ms} ms, without a tracker ${baseline.ms} ms`);
    say(`${label}: walked in ${ms} ms (without a tracker: ${baseline.ms} ms), ${posts} request(s) refused or left hanging`);
  }

  // 2, continued: the tracker is back; relaunching sends what waited, exactly once.
  await startTracker(`127.0.0.1:${port}`);
  for (const d of downContexts) {
    const before = await events(base, orgAdmin, d.learner);
    if (before.length) problems.push(`${d.label}: events arrived while the tracker was down?! ${JSON.stringify(before)}`);
    for (let launchNo = 1; launchNo <= 2; launchNo++) {
      const run = await launch(d.ctx, d.pkg, savedData(d.pkg, d.cmi, d.learner), base);
      const evs = await settled(base, orgAdmin, d.learner, 3);
      if (verbs(evs, d.pkg.id) !== 'completed,passed,started' || evs.length !== 3) problems.push(`${d.label}, relaunch ${launchNo}: tracker holds ${JSON.stringify(evs.map((e) => e.verb))}, want started, completed, passed once each`);
      await run.page.evaluate(() => window.lms.unload());
      await run.page.close();
      problems.push(...run.console.map((c) => `${d.label}, relaunch ${launchNo}: console ${c}`));
    }
    await d.ctx.close();
    say(`${d.label}: after relaunch the tracker holds the three events once each`);
  }
} catch (e) {
  problems.push(e instanceof Failure ? e.message : `${e.stack || e}`);
} finally {
  await browser.close();
  server.close();
  if (tracker) await stopTracker();
  rmSync(TMP, { recursive: true, force: true });
}
for (const p of problems) console.log(`  - ${p}`);
console.log(`\nloop: ${problems.length ? 'FAILED' : 'ok'}, ${problems.length} problem(s), in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
process.exit(problems.length ? 1 : 0);
