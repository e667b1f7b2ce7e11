// What the browser tests share: the paths, a wattshare process started until it prints its URL
// and stopped by pid afterwards, and Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const root = process.env.WATTSHARE_SOURCE_DIR || new URL('../..', import.meta.url).pathname;
export const bin = process.env.WATTSHARE_BIN || join(root, 'build/bin/wattshare');
export const artifacts = process.env.WATTSHARE_ARTIFACTS || join(root, 'build/web-artifacts');
mkdirSync(artifacts, { recursive: true });

// Starts `wattshare args…` and resolves with [process, the first match of `urlPattern`'s group 1].
export function startWattshare(args, urlPattern) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wattshare ${args[0]} printed no URL`)), 30000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = line.match(urlPattern);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`wattshare ${args[0]} exited with ${code}`)));
  });
  return url.then((u) => [child, u]);
}

export async function stopWattshare(child) {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => { child.on('exit', r); setTimeout(() => { child.kill('SIGKILL'); r(); }, 5000); });
}

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A page that records console errors and page errors in `problems`.
export async function newPage(browser, url, viewport, readyTestId) {
  const page = await browser.newPage({ viewport });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(url);
  await page.getByTestId(readyTestId).waitFor({ timeout: 20000 });
  return { page, problems };
}
