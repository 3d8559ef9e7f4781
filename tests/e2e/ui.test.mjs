// End-to-end test of the Flowstate web UI in headless Chromium (playwright-core, Debian's
// chromium). Run by scripts/post-test.d/50-browser.sh against a running `flowstate serve`.
//
// env: FLOWSTATE_URL (http://127.0.0.1:PORT), SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium)
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const BASE = process.env.FLOWSTATE_URL;
const SHOTS = process.env.SCREENSHOT_DIR || 'screenshots';
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
if (!BASE) { console.error('FLOWSTATE_URL is not set'); process.exit(2); }
fs.mkdirSync(SHOTS, { recursive: true });

const steps = [];
let failed = false;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    steps.push(`ok   ${name} (${Date.now() - t0} ms)`);
    console.log(`ok   ${name}`);
  } catch (e) {
    failed = true;
    steps.push(`FAIL ${name}: ${e && e.message}`);
    console.error(`FAIL ${name}\n${e && e.stack}`);
    throw e;
  }
}
function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }

const browser = await chromium.launch({
  executablePath: EXE,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
});
const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, colorScheme: 'dark' });
const page = await context.newPage();
const consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push('pageerror: ' + e.message));
// suggestions must arrive over the WebSocket (the GET endpoint is only the fallback)
const wsSuggestFrames = [];
page.on('websocket', (ws) => {
  if (!ws.url().includes('/api/v1/intent/suggest/ws')) return;
  ws.on('framereceived', (f) => { if (typeof f.payload === 'string') wsSuggestFrames.push(f.payload); });
});
const shot = (name) => page.screenshot({ path: path.join(SHOTS, name + '.png') });
page.setDefaultTimeout(15000);

try {
  await step('load the page and the library table', async () => {
    await page.goto(BASE + '/');
    await page.waitForSelector('#tracks tbody tr[data-id]');
    const n = await page.locator('#tracks tbody tr[data-id]').count();
    assert(n > 0, 'table has rows');
    await page.waitForFunction(() => /\d+ tracks/.test(document.querySelector('#status').textContent));
    await shot('01-library');
  });

  let searchTerm = '';
  await step('search filters the table', async () => {
    const total0 = await page.textContent('#lib-count');
    // search for a word of a title of a track with audio (the demo tracks)
    searchTerm = 'night';
    await page.fill('#f-q', searchTerm);
    await page.waitForFunction((t) => {
      const rows = [...document.querySelectorAll('#tracks tbody tr[data-id]')];
      return rows.length > 0 && rows.every((r) => r.textContent.toLowerCase().includes(t));
    }, searchTerm);
    const total1 = await page.textContent('#lib-count');
    assert(total0 !== total1, `count changed (${total0} -> ${total1})`);
    // sorting by BPM through the header
    await page.fill('#f-q', '');
    await page.waitForFunction((t) => document.querySelector('#lib-count').textContent === t, total0);
    await page.click('th[data-sort="bpm"]');
    await page.waitForSelector('th[data-sort="bpm"].sorted-asc');
    const bpms = await page.$$eval('#tracks tbody tr[data-id] td:nth-child(3)', (tds) => tds.map((t) => parseFloat(t.textContent)).filter((x) => !Number.isNaN(x)));
    assert(bpms.length > 1 && bpms.every((b, i) => i === 0 || bpms[i - 1] <= b), 'sorted by bpm: ' + bpms.join(','));
    await page.click('th[data-sort="bpm"]'); // descending
    await page.click('th[data-sort="bpm"]'); // unsorted
    await page.fill('#f-q', searchTerm);
    await page.waitForFunction(() => document.querySelectorAll('#tracks tbody tr[data-id]').length >= 1);
  });

  await step('pick a track: deck, waveform, history, recommendations', async () => {
    const row = page.locator('#tracks tbody tr[data-id]').first();
    const title = (await row.locator('td').first().textContent()).trim();
    await row.click();
    await page.waitForFunction((t) => document.querySelector('#deck-title').textContent === t, title);
    await page.waitForFunction(() => document.querySelector('#history-count').textContent.startsWith('1 '));
    await page.waitForSelector('#recs .card');
    const hasWave = await page.evaluate(() => document.querySelector('#wave-empty').hidden);
    console.log(`     deck: ${title}; waveform ${hasWave ? 'drawn' : 'absent (not analysed)'}`);
    await shot('02-deck-and-recommendations');
  });

  await step('type a prompt and see live suggestions', async () => {
    await page.fill('#f-q', '');
    await page.click('#prompt');
    await page.keyboard.type('dar', { delay: 40 });
    await page.waitForSelector('#suggestions:not([hidden]) li');
    const items = await page.$$eval('#suggestions li', (lis) => lis.map((l) => l.textContent));
    assert(items.length > 0, 'suggestions shown');
    assert(wsSuggestFrames.some((f) => f.includes('"suggestions"')), 'suggestions came over the WebSocket');
    console.log('     suggestions: ' + items.slice(0, 5).join(' | '));
    await shot('03-suggestions');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter'); // accept the first suggestion
    const v = await page.inputValue('#prompt');
    assert(v.length > 3 && v.toLowerCase().startsWith('dar'), 'accepted suggestion: ' + v);
  });

  await step('get recommendations for the prompt', async () => {
    await page.fill('#prompt', 'darker but not slower');
    const resp = page.waitForResponse((r) => r.url().endsWith('/api/v1/recommend') && r.request().method() === 'POST');
    await page.keyboard.press('Escape');
    await page.click('#recommend-btn');
    const r = await resp;
    assert(r.status() === 200, 'recommend status ' + r.status());
    const body = await r.json();
    assert(body.intent && body.intent.status !== 'error', 'intent parsed: ' + JSON.stringify(body.intent));
    await page.waitForSelector('#recs .card');
    const cards = await page.locator('#recs .card').count();
    assert(cards === body.results.length && cards > 0, `cards ${cards} = results ${body.results.length}`);
    const badges = await page.locator('#recs .card').first().locator('.badge').count();
    assert(badges >= 3, 'bpm/key/energy badges');
    await page.waitForFunction(() => document.querySelector('#intent').textContent.length > 0);
    await shot('04-prompt-recommendations');
  });

  await step('play a preview', async () => {
    // the first recommendation whose track has an audio file; else the deck's own track
    const withAudio = await page.evaluate(() => [...document.querySelectorAll('#recs .card')].findIndex((c) => c.dataset.audio === '1'));
    const audioResp = page.waitForResponse((r) => /\/api\/v1\/tracks\/.+\/audio$/.test(r.url()));
    if (withAudio >= 0) {
      await page.locator('#recs .card').nth(withAudio).locator('button.preview').click();
      console.log(`     previewing recommendation #${withAudio + 1}`);
    } else {
      console.log('     no recommended track has audio: previewing the deck track from its waveform');
      await page.click('#wave', { position: { x: 300, y: 60 } });
    }
    const ar = await audioResp;
    assert([200, 206].includes(ar.status()), 'audio status ' + ar.status());
    assert(/^audio\//.test(ar.headers()['content-type'] || ''), 'audio content-type ' + ar.headers()['content-type']);
    await page.waitForFunction(() => { const a = document.querySelector('#player'); return !a.paused && a.currentTime > 0; });
    const label = await page.textContent('#player-label');
    assert(/^(preview|deck): ./.test(label) && label !== 'preview: —', 'player label ' + label);
    await shot('05-preview-playing');
    await page.click('#player-stop');
    assert(await page.evaluate(() => document.querySelector('#player').paused), 'stopped');
  });

  await step('send feedback', async () => {
    const card = page.locator('#recs .card').nth(1);
    const resp = page.waitForResponse((r) => r.url().endsWith('/api/v1/feedback'));
    await card.locator('button.like').click();
    const r = await resp;
    assert(r.status() === 200, 'feedback status ' + r.status());
    const sent = JSON.parse(r.request().postData());
    assert(sent.action === 'like' && sent.current_id && sent.track_id, 'feedback body ' + r.request().postData());
    await page.waitForSelector('#recs .card.fb-like');
    await page.waitForSelector('#toast:not([hidden])');
  });

  await step('play next moves the pick to the deck and the history', async () => {
    const card = page.locator('#recs .card').first();
    const title = (await card.locator('.t').textContent()).trim();
    await card.locator('button.playnext').click();
    await page.waitForFunction((t) => document.querySelector('#deck-title').textContent === t, title);
    await page.waitForFunction(() => document.querySelector('#history-count').textContent.startsWith('2 '));
    await page.waitForSelector('#recs .card');
    await shot('06-after-play-next');
  });

  await step('keyboard: / focuses search, p focuses the prompt, digits play next', async () => {
    await page.click('body', { position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    assert(await page.evaluate(() => document.activeElement.id === 'f-q'), 'search focused');
    await page.keyboard.press('Escape');
    await page.keyboard.press('p');
    assert(await page.evaluate(() => document.activeElement.id === 'prompt'), 'prompt focused');
    await page.keyboard.press('Escape');
    const title = (await page.locator('#recs .card .t').first().textContent()).trim();
    await page.keyboard.press('1');
    await page.waitForFunction((t) => document.querySelector('#deck-title').textContent === t, title);
    await page.waitForFunction(() => document.querySelector('#history-count').textContent.startsWith('3 '));
    await page.waitForSelector('#recs .card');
    await page.screenshot({ path: path.join(SHOTS, '07-session-energy.png'), fullPage: true });
  });

  await step('malformed requests get JSON errors', async () => {
    const r = await page.evaluate(async () => {
      const a = await fetch('/api/v1/recommend', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"current":' });
      const b = await fetch('/api/v1/tracks/does-not-exist');
      const c = await fetch('/api/v1/tracks?bpm_min=fast');
      return [[a.status, await a.json()], [b.status, await b.json()], [c.status, await c.json()]];
    });
    assert(r[0][0] === 400 && r[0][1].error.code === 'BAD_REQUEST', JSON.stringify(r[0]));
    assert(r[1][0] === 404 && r[1][1].error.code === 'TRACK_NOT_FOUND', JSON.stringify(r[1]));
    assert(r[2][0] === 400 && r[2][1].error.code === 'BAD_REQUEST', JSON.stringify(r[2]));
  });

  await step('no console errors', async () => {
    // errors we provoked ourselves in the previous step show up as failed resources
    const real = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
    assert(real.length === 0, 'console errors: ' + real.join(' | '));
  });
} catch (_) {
  try { await shot('failure'); } catch (_) { /* page may be gone */ }
} finally {
  await browser.close();
  fs.writeFileSync(path.join(SHOTS, 'steps.txt'), steps.join('\n') + '\n');
}
console.log(failed ? 'browser tests FAILED' : `browser tests passed (${steps.length} steps); screenshots in ${SHOTS}`);
process.exit(failed ? 1 : 0);
