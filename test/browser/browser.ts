/**
 * Browser-test helpers: one headless Chromium per test file (Debian's `chromium`, driven by
 * puppeteer-core), pages that record console errors, page errors and network requests.
 * No side effects on import (node --test also runs this file).
 *
 * Missing Chromium fails the tests with the command that installs it, unless
 * XENTIMER_SKIP_BROWSER=1, which skips them with a message. XENTIMER_CHROMIUM overrides the path.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env['XENTIMER_CHROMIUM'] ?? '/usr/bin/chromium';

/** Flags that work on a closed network and in a container running as root. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** The `skip` option for describe(): a reason to skip, or false to run. Throws when Chromium is missing and skipping was not asked for. */
export function browserSkip(): string | false {
  if (process.env['XENTIMER_SKIP_BROWSER'] === '1') return 'browser tests skipped: XENTIMER_SKIP_BROWSER=1';
  return false;
}

export interface Session {
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function launch(): Promise<Session> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `browser tests need Chromium at ${CHROMIUM}: install it (Debian: apt-get install -y --no-install-recommends chromium), ` +
        'set XENTIMER_CHROMIUM to its path, or skip these tests with XENTIMER_SKIP_BROWSER=1',
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'xentimer-chromium-'));
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, userDataDir: profile });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface Watched {
  readonly page: Page;
  /** Console messages of type error and uncaught page errors. */
  readonly errors: string[];
  /** URLs the page requested. */
  readonly requests: string[];
}

/** A new page (laptop size unless given) that records errors and requests. */
export async function openPage(s: Session, viewport = { width: 1366, height: 800 }): Promise<Watched> {
  const page = await s.browser.newPage();
  await page.setViewport(viewport);
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  page.on('request', (r) => void requests.push(r.url()));
  return { page, errors, requests };
}

/** Number of the selected diagram row inside `scope` (a CSS selector), or null. */
export async function selectedRow(page: Page, scope: string): Promise<number | null> {
  return page.$eval(scope, (el) => {
    const r = el.querySelector('g.row.sel');
    return r ? Number(r.getAttribute('data-k')) : null;
  });
}

/** The rows of the state panel inside `scope`: field -> [value text, marked as changed]. */
export async function statePanel(page: Page, scope: string): Promise<Record<string, [string, boolean]>> {
  return page.$eval(scope, (el) => {
    const out: Record<string, [string, boolean]> = {};
    el.querySelectorAll('table.state tbody tr').forEach((tr) => {
      const field = tr.querySelector('th')?.textContent ?? '';
      out[field] = [tr.querySelector('td:last-child')?.textContent ?? '', tr.classList.contains('changed')];
    });
    return out;
  });
}
