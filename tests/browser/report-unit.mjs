// Unit checks of templates/reporting/report.js under Node, with a stand-in
// window (config, localStorage, fetch): the queue's bounds, what leaves the
// queue on which answer, the event's fields, and that nothing throws.
//
//   node tests/browser/report-unit.mjs
//
// Prints "report-unit: ok" and exits 0, or lists what failed and exits 1.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates', 'reporting', 'report.js'), 'utf8');
const KEY = `pct_0123456789abcdef_${'ab'.repeat(32)}`;
const problems = [];
const expect = (cond, msg) => { if (!cond) problems.push(msg); };
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

// A window whose fetch answers with `answer(batch)`: {status, body} or 'reject' or 'hang'.
function makeWindow({ report = { url: 'https://t.example/api/v1/events', key: KEY, package: 'pecyn_m_en_standard_scorm12', version: '1.0.0' },
  answer = () => ({ status: 200, body: { accepted: 1 } }), storage = 'ok' } = {}) {
  const items = new Map(), sent = [], listeners = {};
  const localStorage = {
    getItem: (k) => { if (storage === 'throws') throw new Error('blocked'); return items.has(k) ? items.get(k) : null; },
    setItem: (k, v) => { if (storage === 'throws') throw new Error('blocked'); items.set(k, String(v)); },
  };
  const win = {
    document: { getElementById: (id) => (id === 'pecyn-config' ? { textContent: JSON.stringify({ module: 'm', report }) } : null) },
    localStorage, crypto: globalThis.crypto, JSON, AbortController,
    addEventListener: (ev, fn) => { (listeners[ev] = listeners[ev] || []).push(fn); },
    fetch: (url, opts) => {
      const batch = JSON.parse(opts.body);
      sent.push({ url, opts, batch });
      const a = answer(batch);
      if (a === 'reject') return Promise.reject(new TypeError('Failed to fetch'));
      if (a === 'hang') return new Promise(() => {});
      return Promise.resolve({ status: a.status, json: () => Promise.resolve(a.body) });
    },
  };
  new Function('window', SRC)(win);
  win.fire = (ev) => (listeners[ev] || []).forEach((fn) => fn());
  win.queue = () => { for (const [k, v] of items) if (k.startsWith('pecyn-report:')) return JSON.parse(v); return []; };
  win.sent = sent;
  return win;
}

// Without a report block there is no reporter at all.
{
  const w = makeWindow({ report: null });
  expect(w.PecynReport === undefined, 'a package without a report block got a reporter');
}

// One event: its fields, the request, and the queue emptied on 200.
{
  const w = makeWindow();
  w.PecynReport.event('passed', { learner: 'u1', total: '0001:00:30.50', ms: 4500, score: 80 });
  expect(w.queue().length === 1, 'the event was not queued at once');
  await tick(20);
  const r = w.sent[0];
  expect(r && r.url === 'https://t.example/api/v1/events', 'not posted to the endpoint');
  expect(r && r.opts.keepalive === true && r.opts.method === 'POST' && r.opts.credentials === 'omit', `request options ${JSON.stringify(r && r.opts)}`);
  expect(r && r.opts.headers.Authorization === `Bearer ${KEY}`, 'no bearer key');
  const e = r && r.batch[0];
  expect(e && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(e.id), `not a v4 UUID: ${e && e.id}`);
  expect(e && e.learner === 'u1' && e.verb === 'passed' && e.score === 80 && e.package === 'pecyn_m_en_standard_scorm12' && e.version === '1.0.0', `fields ${JSON.stringify(e)}`);
  expect(e && e.duration_seconds === 3635, `1 h 0 min 30.5 s before + 4.5 s now should be 3635 s, got ${e && e.duration_seconds}`);
  expect(e && !Number.isNaN(Date.parse(e.timestamp)), 'no timestamp');
  expect(Object.keys(e || {}).sort().join() === 'duration_seconds,id,learner,package,score,timestamp,verb,version', `unexpected fields ${Object.keys(e || {})}`);
  expect(w.queue().length === 0, 'a 200 left the event queued');
}

// SCORM 2004 durations, and no event without a learner id.
{
  const w = makeWindow();
  w.PecynReport.event('started', { learner: 'u2', total: 'P1DT2H3M4.5S', ms: 500 });
  w.PecynReport.event('started', { learner: '', total: '', ms: 0 });
  w.PecynReport.event('started', null);
  w.PecynReport.event();
  await tick(20);
  const evs = w.sent.flatMap((s) => s.batch);
  expect(evs.length === 1 && evs[0].duration_seconds === 93785, `2004 duration / learnerless events: ${JSON.stringify(evs)}`);
  expect(!('score' in evs[0]), 'a score appeared from nowhere');
}

// 500 and network failures keep the events; 400 settles them; unknown_package waits for the next launch.
for (const [what, answer, kept] of [
  ['500', () => ({ status: 500, body: { error: { code: 'internal' } } }), 2],
  ['network failure', () => 'reject', 2],
  ['401', () => ({ status: 401, body: { error: { code: 'unauthorized' } } }), 2],
  ['400', () => ({ status: 400, body: { error: { code: 'invalid_event' }, rejected: [] } }), 0],
  ['200 with one unknown_package', (b) => ({ status: 200, body: { accepted: 1, rejected: [{ index: 0, id: b[0].id, code: 'unknown_package' }] } }), 1],
]) {
  const w = makeWindow({ answer });
  w.PecynReport.event('started', { learner: 'u3', total: '', ms: 0 });
  w.PecynReport.event('completed', { learner: 'u3', total: '', ms: 0, score: 100 });
  await tick(30);
  expect(w.queue().length === kept, `${what}: ${w.queue().length} events left queued, want ${kept}`);
  const posts = w.sent.length;
  await tick(30);
  expect(w.sent.length === posts, `${what}: kept retrying at once (${w.sent.length} requests)`);
}

// A hanging tracker: one request at a time, but pagehide sends what is left.
{
  const w = makeWindow({ answer: () => 'hang' });
  w.PecynReport.event('started', { learner: 'u4', total: '', ms: 0 });
  await tick(20);
  w.PecynReport.event('completed', { learner: 'u4', total: '', ms: 0 });
  w.PecynReport.event('passed', { learner: 'u4', total: '', ms: 0 });
  await tick(20);
  expect(w.sent.length === 1, `a second request went while the first hung (${w.sent.length})`);
  w.fire('pagehide');
  const ids = w.sent.flatMap((s) => s.batch.map((e) => e.verb));
  expect(ids.join() === 'started,completed,passed', `pagehide sent ${ids}`);
}

// Bounds: at most 100 events and 32 KB, the newest kept.
{
  const w = makeWindow({ answer: () => 'reject' });
  for (let i = 0; i < 150; i++) w.PecynReport.event('started', { learner: `learner-${i}`, total: '', ms: 0 });
  let q = w.queue();
  expect(q.length === 100 && q[99].learner === 'learner-149' && q[0].learner === 'learner-50', `count bound: ${q.length}, first ${q[0] && q[0].learner}`);
  for (let i = 0; i < 150; i++) w.PecynReport.event('started', { learner: `${'x'.repeat(250)}${i}`, total: '', ms: 0 });
  q = w.queue();
  expect(JSON.stringify(q).length <= 32768 && q[q.length - 1].learner.endsWith('149'), `byte bound: ${JSON.stringify(q).length} bytes`);
  await tick(20);
}

// Storage blocked (sandboxed frame, private mode): still sends, never throws.
{
  const w = makeWindow({ storage: 'throws' });
  w.PecynReport.event('started', { learner: 'u5', total: '', ms: 0 });
  await tick(20);
  expect(w.sent.length === 1 && w.sent[0].batch[0].learner === 'u5', 'with storage blocked nothing was sent');
}

// A corrupt queue in storage is ignored, not fatal.
{
  const w = makeWindow();
  w.localStorage.setItem(`pecyn-report:https://t.example/api/v1/events#0123456789abcdef`, '{"not":"a list"}');
  w.PecynReport.event('started', { learner: 'u6', total: '', ms: 0 });
  await tick(20);
  expect(w.sent.length === 1 && w.sent[0].batch.length === 1, 'a corrupt queue broke sending');
}

// The next launch sends what an earlier one left.
{
  const first = makeWindow({ answer: () => 'reject' });
  first.PecynReport.event('passed', { learner: 'u7', total: '', ms: 0, score: 90 });
  await tick(20);
  const saved = first.queue();
  const w = makeWindow();
  w.localStorage.setItem(`pecyn-report:https://t.example/api/v1/events#0123456789abcdef`, JSON.stringify(saved));
  await tick(20);
  expect(w.sent.length === 1 && w.sent[0].batch[0].id === saved[0].id, 'the next launch did not send the queued event with its id');
}

for (const p of problems) console.log(`  - ${p}`);
console.log(`report-unit: ${problems.length ? 'FAILED' : 'ok'}`);
process.exit(problems.length ? 1 : 0);
