// Browser tests of built Pecyn packages: headless Chromium, each package
// inside an LMS-like frame page hosting scorm-again's real SCORM runtime.
//
//   node tests/browser/run.mjs DIR [--all] [--jobs N] [--only SUBSTRING] [--screenshots DIR]
//
// DIR holds the zips `pecyn build` made. See README.md for what runs on which
// package and why. Exit status 0 only when every check on every package passed.
import { createServer } from 'node:http';
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { FLAGS, readZip, Failure, check, sco, tabTo, isId, press, expectPage, answer, wrongAnswer, statusOf, savedData, fresh } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const SUSPEND_LIMIT = 4096; // real SCORM 1.2 LMSs stop here; scorm-again allows 64,000

// ---------- arguments ----------
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const dir = argv.find((a, i) => !a.startsWith('--') && !['--jobs', '--only', '--screenshots'].includes(argv[i - 1]));
if (!dir) { console.error('usage: node run.mjs DIR [--all] [--jobs N] [--only SUBSTRING] [--screenshots DIR]'); process.exit(2); }
const ALL = argv.includes('--all') || process.env.PECYN_BROWSER_ALL === '1';
const JOBS = Number(opt('--jobs', process.env.PECYN_BROWSER_JOBS || 2));
const ONLY = opt('--only', '');
// Screenshots of each page type at 320 px and 1280 px (see `shoot`).
const SHOTS = opt('--screenshots', process.env.PECYN_SCREENSHOTS || join(ROOT, 'target', 'browser-screenshots'));
const SHOT_WIDTHS = [320, 1280];

// ---------- interface strings, for the language test ----------
function readStrings(lang) {
  const out = {};
  for (const line of readFileSync(join(ROOT, 'templates', 'strings', `${lang}.toml`), 'utf8').split('\n')) {
    const m = /^([a-z0-9_]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(line);
    if (m) out[m[1]] = JSON.parse(`"${m[2]}"`);
  }
  return out;
}
const STRINGS = { en: readStrings('en'), cy: readStrings('cy') };
// Fragments of one language's strings (split at placeholders), long enough to mean something.
function fragments(lang) {
  const out = [];
  for (const [key, s] of Object.entries(STRINGS[lang])) {
    for (const f of s.split(/\{[a-z_]+\}/)) {
      const t = f.trim();
      if (t.length >= 4) out.push({ key, text: t });
    }
  }
  return out;
}
const FOREIGN = { en: fragments('cy'), cy: fragments('en') };
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function foreignIn(lang, text) {
  const found = [];
  for (const f of FOREIGN[lang]) {
    if (new RegExp(`(^|[^\\p{L}])${esc(f.text)}($|[^\\p{L}])`, 'u').test(text)) found.push(`${f.key}: "${f.text}"`);
  }
  return found;
}
const htmlText = (html) => html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' ')
  .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

// ---------- the server: the LMS page, scorm-again, axe-core and the packages ----------
const packages = new Map();
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp', '.xml': 'application/xml', '.xsd': 'application/xml' };
const LMS_FILES = {
  '/lms/frame.html': join(HERE, 'lms.html'),
  '/lms/scorm-again.js': join(HERE, 'node_modules', 'scorm-again', 'dist', 'scorm-again.js'),
};
const AXE = readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  let body = null, type = 'text/plain';
  if (LMS_FILES[url.pathname]) { body = readFileSync(LMS_FILES[url.pathname]); type = TYPES[extname(url.pathname)]; }
  const m = /^\/pkg\/([^/]+)\/(.+)$/.exec(url.pathname);
  if (m && packages.has(m[1])) {
    body = packages.get(m[1]).files.get(decodeURIComponent(m[2])) || null;
    type = TYPES[extname(m[2])] || 'application/octet-stream';
  }
  if (!body) { res.writeHead(404); res.end('not found'); return; }
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const ORIGIN = `http://127.0.0.1:${server.address().port}`;

// ---------- which packages get which tests ----------
const zips = readdirSync(dir).filter((f) => f.endsWith('.zip') && f.includes(ONLY)).sort();
for (const z of zips) {
  const m = /^(.+)-(en|cy)-(standard|accessible)-(scorm12|scorm2004)\.zip$/.exec(z);
  if (!m) continue;
  const files = readZip(join(dir, z));
  const html = files.get('index.html').toString('utf8');
  const cfg = JSON.parse(/<script type="application\/json" id="pecyn-config">([\s\S]*?)<\/script>/.exec(html)[1]);
  packages.set(z, { name: z, module: m[1], lang: m[2], variant: m[3], scorm: m[4] === 'scorm12' ? '1.2' : '2004', files, html, cfg });
}
// Walk-through (keyboard, resume, fail then pass) on every package with --all;
// otherwise on every module in both SCORM versions, rotating language and variant.
// axe-core, 320 px reflow and the language checks run on every package.
const modules = [...new Set([...packages.values()].map((p) => p.module))].sort();
for (const p of packages.values()) {
  const k = modules.indexOf(p.module);
  const combos = [['en', 'standard'], ['cy', 'accessible'], ['cy', 'standard'], ['en', 'accessible']];
  const [l, v] = combos[(k + (p.scorm === '1.2' ? 0 : 1)) % 4];
  p.walk = ALL || (p.lang === l && p.variant === v);
}
// Screenshots and the two-width layout check: the first module (and any module
// picked with --only) in every language × variant, SCORM 2004 — the markup
// does not depend on the SCORM version. Every package still gets the layout
// check at the width it is tested at.
for (const p of packages.values()) p.shots = p.scorm === '2004' && (p.module === modules[0] || ONLY !== '');


// ---------- layout: no text box across a border ----------
// A fieldset's legend is drawn across the fieldset's top border unless the
// style takes it out of there; the question text then has a line through it.
// Compares the boxes of every visible legend and its fieldset, and of every
// bordered box in a question and its text.
async function layoutProblems(f) {
  return f.evaluate(() => {
    const out = [];
    const visible = (el) => el.getClientRects().length > 0 && !el.closest('[hidden]');
    for (const fs of document.querySelectorAll('fieldset')) {
      const lg = fs.querySelector(':scope > legend');
      if (!lg || !visible(fs) || !visible(lg)) continue;
      const b = fs.getBoundingClientRect(), r = lg.getBoundingClientRect(), cs = getComputedStyle(fs);
      const top = b.top + parseFloat(cs.borderTopWidth);
      if (parseFloat(cs.borderTopWidth) > 0 && cs.borderTopStyle !== 'none' && r.top < top - 0.5) {
        out.push(`the legend of #${fs.id} ("${lg.textContent.trim().slice(0, 40)}") crosses its fieldset's top border (legend top ${r.top.toFixed(1)}, border ends ${top.toFixed(1)})`);
      }
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5) out.push(`the legend of #${fs.id} sticks out of its fieldset sideways`);
    }
    return out;
  });
}
// Full-page screenshots of one page type at each width, into SHOTS/<package>/.
async function shoot(ctx, f, kind) {
  const { pkg } = ctx;
  if (!pkg.shots || !ctx.page || ctx.shot.has(kind)) return;
  ctx.shot.add(kind);
  const out = join(SHOTS, pkg.name.replace(/\.zip$/, ''));
  mkdirSync(out, { recursive: true });
  for (const w of SHOT_WIDTHS) {
    await ctx.page.setViewportSize({ width: w, height: 800 });
    // The package may be in the LMS's frame: make the window as tall as its page, so the shot shows all of it.
    const tall = await f.evaluate(() => document.documentElement.scrollHeight);
    await ctx.page.setViewportSize({ width: w, height: Math.min(Math.max(tall, 800), 12000) });
    await f.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    for (const p of await layoutProblems(f)) ctx.problems.push(`${kind} at ${w}px: ${p}`);
    await ctx.page.screenshot({ path: join(out, `${kind}-${w}.png`), animations: 'disabled' });
  }
  await ctx.page.setViewportSize({ width: ctx.width, height: 800 });
}

// ---------- per-page checks: axe-core, reflow at 320 px, interface language, layout ----------
async function pageChecks(ctx, f, label, kind) {
  const { pkg, problems } = ctx;
  for (const p of await layoutProblems(f)) problems.push(`${label}: ${p}`);
  if (kind) await shoot(ctx, f, kind);
  if (!ctx.axed.has(label)) {
    ctx.axed.add(label);
    if (!(await f.evaluate(() => !!window.axe))) await f.evaluate(AXE);
    // Judge what the learner sees once the page has settled, not mid-fade.
    await f.evaluate(() => Promise.all((document.getAnimations ? document.getAnimations() : []).map((a) => a.finished.catch(() => null))));
    const r = await f.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    }));
    for (const v of r.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') {
        problems.push(`axe ${v.impact} on ${label}: ${v.id} — ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`);
      }
    }
  }
  const wide = await f.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (wide > 0) problems.push(`${label}: scrolls sideways by ${wide}px at ${ctx.width}px wide`);
  const text = await f.evaluate(() => document.body.innerText);
  for (const s of foreignIn(pkg.lang, text)) problems.push(`${label}: interface string of the other language on screen: ${s}`);
}

// ---------- one launch of a package ----------
async function launch(browser, pkg, data, width, missing) {
  const context = await browser.newContext({ viewport: { width, height: 800 }, reducedMotion: pkg.variant === 'standard' ? 'no-preference' : 'reduce' });
  const outside = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(ORIGIN) || u.startsWith('about:') || u.startsWith('data:')) return route.continue();
    outside.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  const console_ = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console_.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => console_.push(`uncaught: ${e.message}`));
  if (data === null) { // standalone: the package on its own, no LMS
    await page.goto(`${ORIGIN}/pkg/${pkg.name}/index.html`);
  } else {
    await page.goto(`${ORIGIN}/lms/frame.html`);
    await page.evaluate(([v, url, d, m]) => window.lms.launch(v, url, d, m), [pkg.scorm, `${ORIGIN}/pkg/${pkg.name}/index.html`, data, missing || null]);
  }
  const f = await sco(page);
  return { context, page, f, outside, console: console_ };
}
async function close(run) {
  await run.page.evaluate(() => window.lms.unload());
  await run.page.waitForTimeout(50);
  const rec = await run.page.evaluate(() => ({ cmi: window.lms.cmi(), calls: window.lms.calls }));
  await run.context.close();
  return rec;
}
const TIME12 = /^\d{2,4}:[0-5]\d:[0-5]\d(\.\d{1,2})?$/;
const TIME2004 = /^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$/;
function judgeCalls(pkg, rec, problems, when) {
  const is12 = pkg.scorm === '1.2';
  const count = (fn) => rec.calls.filter((c) => c.fn === fn).length;
  const init = count(is12 ? 'LMSInitialize' : 'Initialize'), term = count(is12 ? 'LMSFinish' : 'Terminate');
  if (init !== 1) problems.push(`${when}: Initialize called ${init} times (must be exactly once)`);
  if (term !== 1) problems.push(`${when}: Terminate called ${term} times (must be exactly once)`);
  const last = rec.calls[rec.calls.length - 1];
  if (!last || last.fn !== (is12 ? 'LMSFinish' : 'Terminate')) problems.push(`${when}: a call came after Terminate: ${JSON.stringify(last)}`);
  for (const c of rec.calls) {
    const getMissing = c.fn.endsWith('GetValue') && c.error === '403';
    if (c.error !== '0' && !getMissing) problems.push(`${when}: ${c.fn}(${c.args.join(', ')}) → ${c.result}, error ${c.error}`);
    if (c.fn.endsWith('SetValue') && c.args[1] === 'not attempted') problems.push(`${when}: wrote \`not attempted\``);
  }
  const sets = rec.calls.filter((c) => c.fn.endsWith('SetValue'));
  const lastSet = (el) => { const s = sets.filter((c) => c.args[0] === el).pop(); return s ? s.args[1] : undefined; };
  const st = lastSet(is12 ? 'cmi.core.session_time' : 'cmi.session_time');
  if (!(is12 ? TIME12 : TIME2004).test(st || '')) problems.push(`${when}: session_time \`${st}\` is not in SCORM ${pkg.scorm} format`);
  const sd = rec.cmi.suspend_data || '';
  if (sd.length > SUSPEND_LIMIT) problems.push(`${when}: suspend_data is ${sd.length} characters, over ${SUSPEND_LIMIT}`);
  if (sd.length !== pkg.cfg.suspend_max) problems.push(`${when}: suspend_data is ${sd.length} characters; the builder's worst case says ${pkg.cfg.suspend_max}`);
  return lastSet;
}

// Walks the checks of the page on screen, then presses Next.
async function walkPage(ctx, page, f, id, pageIndex) {
  const checks = await f.evaluate((pid) => [...document.querySelectorAll(`#page-${pid} form.check`)].map((x) => x.getAttribute('data-check')), id);
  for (const [n, qid] of checks.entries()) {
    const q = ctx.pkg.cfg.checks.find((c) => c.id === qid);
    if (n === 0) { // first check on a page: wrong first, then right
      await answer(page, f, `check-${qid}`, wrongAnswer(q));
      await press(page, f, `check-submit-${qid}`);
      const fb = await f.evaluate((i) => document.getElementById(`feedback-${i}`).className, qid);
      check(/feedback-incorrect/.test(fb), `check ${qid}: feedback after a wrong answer is \`${fb}\``);
    }
    await answer(page, f, `check-${qid}`, q.correct);
    await press(page, f, `check-submit-${qid}`, n % 2 ? 'Space' : 'Enter');
    const fb = await f.evaluate((i) => document.getElementById(`feedback-${i}`).className, qid);
    check(/feedback-correct/.test(fb), `check ${qid}: feedback after the right answer is \`${fb}\``);
  }
  await pageChecks(ctx, f, `page ${pageIndex + 1} (${id})`, checks.length ? 'scene-with-check' : 'scene');
  await press(page, f, 'next-button');
}

async function walk(browser, pkg) {
  const problems = [];
  const width = pkg.variant === 'accessible' ? 320 : 1024;
  const ctx = { pkg, problems, axed: new Set(), shot: new Set(), width };
  const { pages, quiz, pass_mark: passMark } = pkg.cfg;
  const quizIndex = pages.length - 2, mid = Math.max(1, Math.floor((pages.length - 2) / 2));
  const is12 = pkg.scorm === '1.2';

  // Session 1: start with the keyboard, walk to the middle, leave (pagehide terminates).
  let run = await launch(browser, pkg, fresh(pkg), width);
  let { page, f } = run;
  ctx.page = page;
  await page.keyboard.press('Tab');
  check(await f.evaluate(() => document.activeElement.classList.contains('skip-link')), 'the first Tab should reach the skip link');
  await pageChecks(ctx, f, 'page 1 (start)', 'start');
  await press(page, f, 'start-button');
  await expectPage(f, pages[1]);
  for (let i = 1; i < mid; i++) { await walkPage(ctx, page, f, pages[i], i); await expectPage(f, pages[i + 1]); }
  let rec = await close(run);
  problems.push(...run.outside.map((u) => `request left the package: ${u}`), ...run.console.map((c) => `console ${c}`));
  judgeCalls(pkg, rec, problems, 'session 1');
  let s = statusOf(pkg, rec.cmi);
  if (s.status !== (is12 ? 'incomplete' : 'incomplete/unknown')) problems.push(`session 1: status \`${s.status}\`, want incomplete`);
  if (s.exit !== 'suspend') problems.push(`session 1: exit \`${s.exit}\`, want suspend`);
  if (s.location !== pages[mid]) problems.push(`session 1: location \`${s.location}\`, want \`${pages[mid]}\``);

  // Session 2: relaunch with the saved data, resume, finish the scenes, fail the quiz, pass it.
  run = await launch(browser, pkg, savedData(pkg, rec.cmi), width);
  ({ page, f } = run);
  ctx.page = page;
  check(await f.evaluate(() => !document.getElementById('resume').hidden), 'relaunch: no "resume where you left off" offer');
  await pageChecks(ctx, f, 'page 1 (start, resuming)');
  await press(page, f, 'resume-button');
  await expectPage(f, pages[mid]);
  for (let i = mid; i < quizIndex; i++) { await walkPage(ctx, page, f, pages[i], i); await expectPage(f, pages[i + 1]); }

  // The quiz: submit nothing (error summary), then fail, then pass.
  await press(page, f, 'quiz-submit');
  check(await f.evaluate(() => document.activeElement.id === 'quiz-errors'), 'submitting an empty quiz should move focus to the error summary');
  await pageChecks(ctx, f, 'quiz (errors shown)', 'quiz');
  const n = quiz.length;
  let k = n;
  while (k > 0 && Math.floor(k * 10000 / n) / 100 >= passMark) k--;
  const canFail = Math.floor(k * 10000 / n) / 100 < passMark;
  const attempts = canFail ? [k, n] : [n];
  for (const [a, right] of attempts.entries()) {
    for (const [i, q] of quiz.entries()) await answer(page, f, `quiz-${q.id}`, i < right ? q.correct : wrongAnswer(q));
    await press(page, f, 'quiz-submit');
    await expectPage(f, 'results');
    const raw = Math.floor(right * 10000 / n) / 100, passed = raw >= passMark;
    const shown = await f.evaluate(() => ({ score: document.getElementById('result-score').textContent, passed: !document.getElementById('result-passed').hidden,
      failed: !document.getElementById('result-failed').hidden, retry: !document.getElementById('retry-button').hidden }));
    check(shown.score.includes(`${raw}%`), `attempt ${a + 1}: results page says \`${shown.score}\`, want ${raw}%`);
    check(shown.passed === passed && shown.failed === !passed && shown.retry === !passed, `attempt ${a + 1}: results page shows ${JSON.stringify(shown)} for ${raw}%`);
    await reviewChecks(ctx, f, a + 1, right);
    await pageChecks(ctx, f, passed ? 'results (passed)' : 'results (failed)', passed ? 'results-passed' : 'results-failed');
    const cmi = await page.evaluate(() => window.lms.cmi());
    s = statusOf(pkg, cmi);
    const want = is12 ? (passed ? 'passed' : 'failed') : `completed/${passed ? 'passed' : 'failed'}`;
    if (s.status !== want) problems.push(`attempt ${a + 1} (${raw}%): LMS status \`${s.status}\`, want \`${want}\``);
    if (Number(s.raw) !== raw) problems.push(`attempt ${a + 1}: LMS score.raw \`${s.raw}\`, want ${raw}`);
    if (!is12 && Number(s.scaled) !== raw / 100) problems.push(`attempt ${a + 1}: LMS score.scaled \`${s.scaled}\`, want ${raw / 100}`);
    if (!passed) {
      await press(page, f, 'retry-button');
      await expectPage(f, pages[quizIndex]);
      const after = await f.evaluate(() => ({ items: document.querySelectorAll('#review-list > li').length,
        ticked: [...document.querySelectorAll('#quiz-form input')].filter((i) => i.checked).length }));
      check(after.items === 0 && after.ticked === 0, `Try again: the review should go and the answers reset, saw ${JSON.stringify(after)}`);
    }
  }
  // The accessibility statement through the contents menu, then back, then Finish.
  await press(page, f, 'contents-toggle');
  const menu = await f.evaluate(() => { const r = document.getElementById('contents-list').getBoundingClientRect(); return { left: r.left, right: r.right, width: window.innerWidth }; });
  if (menu.left < 0 || menu.right > menu.width) problems.push(`the open contents menu is off screen at ${width}px: ${JSON.stringify(menu)}`);
  await tabTo(page, f, 'the contents link to the accessibility statement', () => document.activeElement && document.activeElement.closest('#contents-list')
    && document.activeElement.getAttribute('data-page') === 'about');
  await page.keyboard.press('Enter');
  await expectPage(f, 'about');
  await pageChecks(ctx, f, 'accessibility statement', 'about');
  await press(page, f, 'back-button');
  await expectPage(f, 'results');
  await press(page, f, 'finish-button', 'Space');
  const said = await f.evaluate(() => { const n = document.getElementById('notice-finished'); return n.hidden ? null : n.textContent; });
  check(said === STRINGS[pkg.lang].finished_notice, `Finish with every call accepted: the notice says ${JSON.stringify(said)}, want the "saved" message`);
  rec = await close(run);
  problems.push(...run.outside.map((u) => `request left the package: ${u}`), ...run.console.map((c) => `console ${c}`));
  judgeCalls(pkg, rec, problems, 'session 2');
  s = statusOf(pkg, rec.cmi);
  if (s.exit !== (is12 ? '' : 'normal')) problems.push(`session 2: exit \`${s.exit}\` after passing`);
  const inter = rec.calls.filter((c) => c.fn.endsWith('SetValue') && /^cmi\.interactions\.\d+\.id$/.test(c.args[0])).length;
  if (inter !== n * attempts.length) problems.push(`session 2: ${inter} interactions recorded, want ${n * attempts.length}`);
  if (!is12) { // 2004: every interaction carries its question, so LMS reports show text, not ids
    const descs = rec.calls.filter((c) => c.fn === 'SetValue' && /^cmi\.interactions\.\d+\.description$/.test(c.args[0])).map((c) => c.args[1]);
    if (descs.length !== inter) problems.push(`session 2: ${descs.length} interaction descriptions for ${inter} interactions`);
    for (const d of descs) {
      const m = /^\{lang=(en|cy)\}(.+)$/.exec(d);
      if (!m || m[1] !== pkg.lang || [...d].length > 250) problems.push(`session 2: interaction description \`${d}\` is not {lang=${pkg.lang}} + the question in at most 250 characters`);
    }
  }
  if (is12) { // an LMS whose API has no LMSFinish (seen in a real open-source LMS): Finish must not claim "saved"
    const broken = await launch(browser, pkg, fresh(pkg), width, ['LMSFinish']);
    await broken.f.evaluate(() => document.getElementById('finish-button').click());
    const got = await broken.f.evaluate(() => { const el = document.getElementById('notice-finished'); return { text: el.hidden ? null : el.textContent, cls: el.className }; });
    if (got.text !== STRINGS[pkg.lang].finished_not_saved || !/notice-error/.test(got.cls)) problems.push(`Finish without LMSFinish: the notice says ${JSON.stringify(got.text)}, want the "not saved" message`);
    await broken.context.close();
  }
  return problems;
}

// The review on the results page after attempt `attempt` with the first `right` questions right.
async function reviewChecks(ctx, f, attempt, right) {
  const { pkg } = ctx;
  const T = STRINGS[pkg.lang];
  const items = await f.evaluate(() => {
    const box = document.getElementById('quiz-review');
    if (!box || box.hidden) return null;
    return [...document.querySelectorAll('#review-list > li')].map((li) => ({
      heading: li.querySelector('h3') ? li.querySelector('h3').textContent : '',
      verdict: li.querySelector('.verdict') ? li.querySelector('.verdict').textContent : '',
      lists: [...li.querySelectorAll(':scope > ul')].map((ul) => [...ul.children].map((x) => ({
        option: x.querySelector('.chosen') ? x.querySelector('.chosen').textContent : '', feedback: x.textContent.length - (x.querySelector('.chosen') ? x.querySelector('.chosen').textContent.length : 0) }))),
    }));
  });
  check(items !== null, `attempt ${attempt}: no review of the answers on the results page`);
  const qs = pkg.cfg.quiz;
  check(items.length === qs.length, `attempt ${attempt}: the review lists ${items.length} questions, want ${qs.length}`);
  for (const [i, it] of items.entries()) {
    const ok = i < right;
    const want = T.question_number.replace('{number}', i + 1).replace('{total}', qs.length);
    check(it.heading.startsWith(`${want}: `) && it.heading.length > want.length + 2, `attempt ${attempt}, review of question ${i + 1}: heading \`${it.heading}\``);
    check(it.verdict.includes(T[ok ? 'correct' : 'incorrect']), `attempt ${attempt}, review of question ${i + 1}: says \`${it.verdict}\` in words, want \`${T[ok ? 'correct' : 'incorrect']}\``);
    check(it.lists.length === (ok ? 1 : 2), `attempt ${attempt}, review of question ${i + 1}: ${it.lists.length} option lists (want the answer${ok ? '' : ' and the right one'})`);
    for (const l of it.lists) for (const o of l) check(o.option.length > 0 && o.feedback > 0, `attempt ${attempt}, review of question ${i + 1}: an option without its text or the authors' feedback`);
  }
}

// Every page of a package not walked: axe, reflow, language; navigated by the contents menu.
async function tour(browser, pkg) {
  const problems = [];
  const width = 320; // 1280 px at 400 % zoom
  const ctx = { pkg, problems, axed: new Set(), shot: new Set(), width };
  const run = await launch(browser, pkg, null, width);
  const { f } = run;
  ctx.page = run.page;
  await pageChecks(ctx, f, 'start (standalone)', 'start');
  check(await f.evaluate(() => !document.getElementById('notice-standalone').hidden), 'standalone: no "progress will not be saved" notice');
  const targets = pkg.cfg.pages.slice(1, -1).concat(['about']);
  for (const id of targets) {
    await f.evaluate((pid) => { document.getElementById('contents-toggle').click(); document.querySelector(`#contents-list a[data-page="${pid}"]`).click(); }, id);
    await expectPage(f, id);
    await pageChecks(ctx, f, id, id === 'about' ? 'about' : id === pkg.cfg.pages[pkg.cfg.pages.length - 2] ? 'quiz' : 'scene');
  }
  // No LMS: Finish must say nothing was recorded, not "saved".
  await f.evaluate(() => document.getElementById('finish-button').click());
  const said = await f.evaluate(() => { const n = document.getElementById('notice-finished'); return n.hidden ? null : n.textContent; });
  if (said !== STRINGS[pkg.lang].finished_not_connected) problems.push(`standalone Finish: the notice says ${JSON.stringify(said)}, want the "not connected" message`);
  problems.push(...run.outside.map((u) => `request left the package: ${u}`), ...run.console.map((c) => `console ${c}`));
  await run.context.close();
  return problems;
}

// Static checks on every package: no interface text of the other language anywhere in index.html or the scripts.
function staticChecks(pkg) {
  const problems = [];
  for (const s of foreignIn(pkg.lang, htmlText(pkg.html))) problems.push(`index.html has an interface string of the other language: ${s}`);
  // Built without a tracker: no reporting script and no reporting config (so no request but the LMS API).
  if (pkg.files.has('assets/report.js') || pkg.cfg.report) problems.push('built without a tracker, yet the package carries reporting');
  for (const name of ['assets/scorm.js', 'assets/player.js']) {
    const js = (pkg.files.get(name) || '').toString();
    for (const lang of ['en', 'cy']) {
      for (const f of fragments(lang)) {
        if (new RegExp(`(^|[^\\p{L}])${esc(f.text)}($|[^\\p{L}])`, 'u').test(js)) problems.push(`${name} hard-codes an interface string (${lang} ${f.key}: "${f.text}")`);
      }
    }
  }
  const cfgStrings = JSON.stringify(pkg.cfg.strings);
  for (const s of foreignIn(pkg.lang, cfgStrings)) problems.push(`the player's strings include the other language: ${s}`);
  return problems;
}

// ---------- run ----------
const started = Date.now();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: FLAGS, headless: true });
const queue = [...packages.values()];
const results = [];
async function worker() {
  for (let pkg = queue.shift(); pkg; pkg = queue.shift()) {
    const t = Date.now();
    let problems = staticChecks(pkg);
    try {
      problems = problems.concat(pkg.walk ? await walk(browser, pkg) : await tour(browser, pkg));
    } catch (e) {
      problems.push(e instanceof Failure ? e.message : `${e.stack || e}`);
    }
    const secs = ((Date.now() - t) / 1000).toFixed(1);
    results.push({ pkg, problems });
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${pkg.name} (${pkg.walk ? 'walk-through' : 'tour'}, ${secs}s)`);
    for (const p of problems) console.log(`     - ${p}`);
  }
}
await Promise.all([...Array(Math.max(1, JOBS))].map(worker));
await browser.close();
server.close();
const failed = results.filter((r) => r.problems.length);
const walked = results.filter((r) => r.pkg.walk).length;
console.log(`\n${results.length} packages (${walked} walked through with the keyboard, ${results.length - walked} toured), ${failed.length} failed, in ${((Date.now() - started) / 1000).toFixed(0)}s`);
if (!results.length) { console.log('no packages found'); process.exit(1); }
process.exit(failed.length ? 1 : 0);
