// The dashboard in Debian's Chromium, driven by playwright-core, against a real `wattshare demo`
// process on `make demo`'s community: each house's water heater and car in the picture, set Run,
// watch a deal arrow appear and progress, open a unit (its tank), switch to Manual and
// command its converter, check the WebSocket keeps the view live, Force Stop with its
// confirmation, a phone-sized screen, and no console errors. Screenshots go to
// $WATTSHARE_ARTIFACTS (default build/web-artifacts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, launchChromium, newPage, root, startWattshare, stopWattshare } from './harness.mjs';

let demo;
let browser;
let url;
const dataDir = mkdtempSync(join(tmpdir(), 'wattshare-web-'));

before(async () => {
  // The community `make demo` shows: APIS's sample houses with water heaters and cars (issue 18).
  [demo, url] = await startWattshare(['demo', '--config', join(root, 'examples/apis-sample/demo-community.json'), '--port', '0',
    '--data-dir', dataDir, '--acceleration', '60', '--mode', 'stop', '--web-dir', join(root, 'web/dist')],
  /dashboard on (http:\/\/\S+)/);
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  await stopWattshare(demo);
  rmSync(dataDir, { recursive: true, force: true });
});

const openPage = (viewport) => newPage(browser, url, viewport, 'community');

test('an operator runs the community, watches a deal and commands a converter by hand', async () => {
  const { page, problems } = await openPage({ width: 1366, height: 900 });
  await page.screenshot({ path: join(artifacts, '01-opened.png'), fullPage: true });
  assert.equal(await page.getByTestId('live').textContent(), 'live');
  // Each house shows its tank under it, and E003 its car too; the header what they took.
  assert.match(await page.getByTestId('loads-E001').textContent(), /^♨ \d+ °C/);
  assert.match(await page.getByTestId('loads-E003').textContent(), /♨ \d+ °C.* · EV (away|\d+ %)/);
  await page.getByTestId('curtailment-avoided').waitFor();

  // Run: a deal arrow appears and its progress moves.
  await page.getByTestId('mode-autonomous').click();
  await page.waitForSelector('[data-testid="mode-autonomous"].on', { timeout: 10000 });
  // A deal arrow appears, and a deal's progress moves while its arrow is shown (the page is
  // polled every frame; any deal will do, should one end early).
  await page.getByTestId('deal-arrow').first().waitFor({ timeout: 150000 });
  await page.screenshot({ path: join(artifacts, '02-deal.png'), fullPage: true });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="deal-arrow"]')]
    .some((a) => Number(a.getAttribute('data-progress')) > 0), null, { timeout: 150000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="deal-log"] li').length > 0, null, { timeout: 150000 });

  // The view stays live: community time moves with the WebSocket.
  const t0 = await page.getByTestId('clock').textContent();
  await page.waitForFunction((t) => document.querySelector('[data-testid="clock"]').textContent !== t, t0, { timeout: 10000 });

  // A unit, then Manual and a converter command.
  await page.getByTestId('unit-E001').click();
  await page.getByTestId('unit-panel').waitFor();
  assert.match(await page.getByTestId('panel-heater').textContent(), /Water heater\d+(\.\d)? °C/);
  await page.getByTestId('mode-manual').click();
  await page.getByTestId('manual-control').waitFor({ timeout: 10000 });
  await page.getByTestId('manual-mode').selectOption('0x0014');
  await page.getByTestId('manual-send').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="panel-dcdc-mode"]').textContent.startsWith('0x0014'),
    null, { timeout: 10000 });
  await page.getByTestId('vr-E001').waitFor({ timeout: 10000 });
  await page.screenshot({ path: join(artifacts, '03-manual.png'), fullPage: true });

  // Force Stop asks first.
  await page.getByTestId('mode-stop').click();
  await page.getByTestId('confirm-stop').waitFor();
  await page.getByTestId('confirm-stop-yes').click();
  await page.waitForSelector('[data-testid="mode-stop"].on', { timeout: 10000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the dashboard fits a phone screen', async () => {
  const { page, problems } = await openPage({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: join(artifacts, '04-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
