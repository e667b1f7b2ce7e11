// The PV-surplus status page in Debian's Chromium against a real `wattshare surplus` on its
// emulated house (60× faster than the wall clock): live figures, each load, the Boost button
// (for an hour) and Eco, a load's own mode, the car's charging session, the page updating by
// itself, a phone-sized screen and no console errors. Screenshots go to $WATTSHARE_ARTIFACTS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, launchChromium, newPage, root, startWattshare, stopWattshare } from './harness.mjs';

let router;
let browser;
let url;

before(async () => {
  const tokenDir = mkdtempSync(join(tmpdir(), 'wattshare-surplus-'));
  [router, url] = await startWattshare(['surplus', '--config', join(root, 'examples/surplus/emulated.json'),
    '--http-port', '0', '--web-dir', join(root, 'web/dist'), '--token-file', join(tokenDir, 'token')],
  /status on (http:\/\/\S+)/);
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  await stopWattshare(router);
});

const text = (page, id) => page.getByTestId(id).textContent();

test('a house owner watches the surplus and boosts the loads', async () => {
  const { page, problems } = await newPage(browser, url, { width: 1280, height: 900 }, 'surplus');
  await page.waitForFunction(() => document.querySelector('[data-testid="live"]').textContent === 'live', null,
    { timeout: 10000 });
  // The page follows the house: its clock moves at least every 2 s of wall time.
  const t0 = await text(page, 'clock');
  await page.waitForFunction((t) => document.querySelector('[data-testid="clock"]').textContent !== t, t0,
    { timeout: 2500 });
  for (const id of ['load-ev', 'load-dimmer', 'load-relay', 'chart-power', 'available', 'pulling']) {
    await page.getByTestId(id).waitFor();
  }
  assert.match(await text(page, 'surplus'), /^Surplus-?\d+ W$/);
  // The car is home on this Saturday morning: its charging session runs, in the sessions table.
  await page.getByTestId('session-running').waitFor({ timeout: 5000 });
  assert.match(await text(page, 'session-running'), /^2021\/05\/22-08:\d\d:\d\dcharging\d+\.\d\d kWh\d+ %—$/);
  await page.screenshot({ path: join(artifacts, '10-surplus.png'), fullPage: true });

  // Boost: every load to full power for an hour, the car at its 16 A limit.
  await page.getByTestId('boost').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="mode-ev"]').textContent.startsWith('boost until'),
    null, { timeout: 5000 });
  assert.match(await text(page, 'mode-dimmer'), /^boost until \d\d:\d\d:\d\d$/);
  await page.waitForFunction(() => document.querySelector('[data-testid="load-ev"]').textContent.includes('Limit16 A'),
    null, { timeout: 5000 });
  await page.screenshot({ path: join(artifacts, '11-surplus-boost.png'), fullPage: true });

  // Eco for all, then the water heater alone switched off.
  await page.getByTestId('eco').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="mode-ev"]').textContent === 'eco', null,
    { timeout: 5000 });
  await page.getByTestId('set-dimmer-off').click();
  await page.waitForSelector('[data-testid="set-dimmer-off"].on', { timeout: 5000 });
  assert.equal(await text(page, 'mode-ev'), 'eco');
  // One load boosted for an hour, the others as they were; the car's minpv.
  await page.getByTestId('boost-relay').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="mode-relay"]').textContent.startsWith('boost until'),
    null, { timeout: 5000 });
  assert.equal(await text(page, 'mode-ev'), 'eco');
  assert.equal(await text(page, 'mode-dimmer'), 'off');
  await page.getByTestId('set-ev-minpv').click();
  await page.waitForSelector('[data-testid="set-ev-minpv"].on', { timeout: 5000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the status page fits a phone screen', async () => {
  const { page, problems } = await newPage(browser, url, { width: 390, height: 844 }, 'surplus');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: join(artifacts, '12-surplus-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
