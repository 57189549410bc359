// Helpers shared by the browser tests (run.mjs, loop.mjs): reading zips,
// Chromium flags, keyboard driving inside the package frame, and the learner
// data an LMS hands a SCO at launch.
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';

export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// ---------- zips, read in memory ----------
export function readZip(path) {
  const buf = readFileSync(path);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${path}: not a zip`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10), csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28), xlen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nlen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + csize);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    p += 46 + nlen + xlen + clen;
  }
  return files;
}

export class Failure extends Error {}
export const check = (cond, msg) => { if (!cond) throw new Failure(msg); };

export async function sco(page) {
  for (let i = 0; i < 200; i++) {
    const f = page.frames().find((fr) => fr.url().includes('/pkg/'));
    if (f) {
      try {
        await f.waitForFunction(() => document.readyState === 'complete' && document.documentElement.classList.contains('js'), null, { timeout: 5000 });
        return f;
      } catch (e) { /* navigating: try again */ }
    }
    await page.waitForTimeout(25);
  }
  throw new Failure('the package did not start (no `js` class on <html>)');
}
// Presses Tab until `pred` holds for the focused element in the package.
export async function tabTo(page, f, what, pred, arg) {
  for (let i = 0; i < 250; i++) {
    if (await f.evaluate(pred, arg)) return;
    await page.keyboard.press('Tab');
  }
  throw new Failure(`cannot reach ${what} with the Tab key`);
}
export const isId = (id) => document.activeElement && document.activeElement.id === id;
export async function press(page, f, id, key = 'Enter') {
  await tabTo(page, f, `#${id}`, isId, id);
  await page.keyboard.press(key);
}
export async function currentPage(f) {
  return f.evaluate(() => {
    const s = [...document.querySelectorAll('main > .page')].filter((x) => !x.hidden);
    const a = document.activeElement;
    return { ids: s.map((x) => x.getAttribute('data-page')), focus: a && a.tagName === 'H1' ? a.closest('section').getAttribute('data-page') : null };
  });
}
export async function expectPage(f, id) {
  const c = await currentPage(f);
  check(c.ids.length === 1 && c.ids[0] === id, `expected page \`${id}\` alone on screen, saw ${JSON.stringify(c.ids)}`);
  check(c.focus === id, `focus should be on the h1 of page \`${id}\` after the page changed (is on ${c.focus})`);
}
// Answers a question (fieldset id) with the keyboard: radios by arrow keys, checkboxes by Space.
export async function answer(page, f, fieldset, chosen) {
  const info = await f.evaluate((id) => {
    const inputs = [...document.getElementById(id).querySelectorAll('input')];
    return { type: inputs[0].type, ids: inputs.map((i) => i.id), name: inputs[0].name };
  }, fieldset);
  if (info.type === 'radio') {
    await tabTo(page, f, `the options of ${fieldset}`, (n) => document.activeElement && document.activeElement.name === n, info.name);
    const at = await f.evaluate(() => [...document.getElementsByName(document.activeElement.name)].indexOf(document.activeElement));
    const checked = await f.evaluate(() => document.activeElement.checked);
    if (!checked) await page.keyboard.press('Space');
    for (let i = at; i < chosen[0]; i++) await page.keyboard.press('ArrowDown');
    for (let i = at; i > chosen[0]; i--) await page.keyboard.press('ArrowUp');
  } else {
    for (let i = 0; i < info.ids.length; i++) {
      await tabTo(page, f, `#${info.ids[i]}`, isId, info.ids[i]);
      const is = await f.evaluate((id) => document.getElementById(id).checked, info.ids[i]);
      if (is !== chosen.includes(i)) await page.keyboard.press('Space');
    }
  }
  const got = await f.evaluate((ids) => ids.map((id, i) => (document.getElementById(id).checked ? i : -1)).filter((i) => i >= 0), info.ids);
  check(JSON.stringify(got) === JSON.stringify([...chosen].sort()), `${fieldset}: wanted options ${chosen} ticked, got ${got}`);
}
export const wrongAnswer = (q) => {
  if (q.kind !== 'multiple') return [q.correct[0] === 0 ? 1 : 0];
  const rest = [...Array(q.options).keys()].filter((i) => !q.correct.includes(i));
  return rest.length ? rest : [q.correct[0]]; // every option is right: ticking only one is wrong
};

export const statusOf = (pkg, cmi) => (pkg.scorm === '1.2'
  ? { status: cmi.core.lesson_status, exit: cmi.core.exit, location: cmi.core.lesson_location, raw: cmi.core.score.raw, entry: cmi.core.entry }
  : { status: `${cmi.completion_status}/${cmi.success_status}`, exit: cmi.exit, location: cmi.location, raw: cmi.score.raw, scaled: cmi.score.scaled, entry: cmi.entry });

// What an LMS hands the SCO at launch: a learner's saved data, or a fresh attempt.
export function savedData(pkg, cmi, learner = 'learner-1') {
  const mastery = String(pkg.cfg.pass_mark);
  if (pkg.scorm === '1.2') {
    return { core: { student_id: learner, student_name: 'Learner, Test', lesson_location: cmi.core.lesson_location, lesson_status: cmi.core.lesson_status || 'not attempted',
      entry: cmi && cmi.core.exit === 'suspend' ? 'resume' : '', credit: 'credit', lesson_mode: 'normal' }, suspend_data: cmi.suspend_data || '',
    student_data: { mastery_score: mastery } };
  }
  return { learner_id: learner, learner_name: 'Learner, Test', location: cmi.location, completion_status: cmi.completion_status || 'unknown',
    success_status: cmi.success_status || 'unknown', entry: cmi.exit === 'suspend' ? 'resume' : '', suspend_data: cmi.suspend_data || '',
    scaled_passing_score: String(pkg.cfg.pass_mark / 100), credit: 'credit', mode: 'normal' };
}
export const fresh = (pkg, learner = 'learner-1') => (pkg.scorm === '1.2'
  ? { core: { student_id: learner, student_name: 'Learner, Test', credit: 'credit', lesson_mode: 'normal', entry: 'ab-initio' }, student_data: { mastery_score: String(pkg.cfg.pass_mark) } }
  : { learner_id: learner, learner_name: 'Learner, Test', credit: 'credit', mode: 'normal', entry: 'ab-initio', scaled_passing_score: String(pkg.cfg.pass_mark / 100) });
