/**
 * The `serve` explorer in a real browser: take steps by clicking, go back and forward with the
 * keyboard, run the search from the page and jump to the F1 deadlock (24 steps, FINDINGS.md),
 * open its permalink in a fresh page, and see a clear message for a tampered URL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { serve, type Served } from '../cli/serve-helpers.js';
import { browserSkip, launch, openPage, selectedRow, statePanel, type Session } from './browser.js';

/** Wait until the diagram shows a path of n steps (rows 0..n) and return the URL's path ids. */
async function pathShown(page: Page, n: number): Promise<string[]> {
  await page.waitForFunction((k: number) => document.querySelectorAll('#diagram g.row').length === k + 1 && document.querySelector('#diagram g.row.sel')?.getAttribute('data-k') === String(k), { timeout: 20_000 }, n);
  const raw = new URL(page.url()).search.replace(/^.*path=/, '');
  return raw === '' || !page.url().includes('path=') ? [] : raw.split(',').map(decodeURIComponent);
}

describe('serve explorer in Chromium', { skip: browserSkip() }, () => {
  let session: Session;
  let server: Served;

  before(async () => {
    // each kept as soon as it exists, so `after` stops the server even when the browser fails to start
    const started = serve().then((s) => (server = s));
    const launched = launch().then((s) => (session = s));
    const outcome = await Promise.allSettled([started, launched]);
    for (const o of outcome) if (o.status === 'rejected') throw o.reason;
  });
  after(async () => {
    await session?.close();
    assert.equal(await server?.stop(), 0);
  });

  test('steps taken by clicking, undone and redone with ← and →', async () => {
    const { page, errors } = await openPage(session);
    await page.goto(server.url);
    await pathShown(page, 0);
    assert.equal(await page.$eval('.pos', (e) => e.textContent), 'initial state (step 0 of 0)');
    const first = await page.$eval('#enabled button', (b) => b.getAttribute('data-take')!);
    await page.click('#enabled button');
    assert.deepEqual(await pathShown(page, 1), [first]);
    const panel = await statePanel(page, '#view');
    assert.ok(Object.values(panel).some(([, changed]) => changed), 'the step changed some field, marked in the state panel');
    const second = await page.$eval('#enabled button', (b) => b.getAttribute('data-take')!);
    await page.click('#enabled button');
    assert.deepEqual(await pathShown(page, 2), [first, second]);
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await pathShown(page, 1), [first]);
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await pathShown(page, 2), [first, second]);
    // a click on a diagram row goes back to that point; forward walks the rest again
    await page.click('#diagram g.row[data-k="0"] .code');
    assert.deepEqual(await pathShown(page, 0), []);
    await page.click('#fwd');
    assert.deepEqual(await pathShown(page, 1), [first]);
    await page.goBack();
    assert.deepEqual(await pathShown(page, 0), [], 'the browser history follows the path');
    await page.setViewport({ width: 1280, height: 800 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0, 'fits a laptop width');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a search run from the page jumps to the F1 deadlock; its permalink restores it', async () => {
    const { page, errors } = await openPage(session);
    await page.goto(server.url);
    await pathShown(page, 0);
    await page.click('#search');
    const link = await page.waitForSelector('xpath///a[starts-with(., "✗ deadlock")]', { timeout: 90_000 });
    assert.match(await page.$eval('#search-status', (e) => e.textContent ?? ''), /^search complete: [\d,]+ states/);
    await link!.click();
    // FINDINGS.md F1: 24 steps
    const ids = await pathShown(page, 24);
    assert.equal(ids.length, 24);
    assert.match(await page.$eval('#here', (e) => e.textContent ?? ''), /✗ deadlock: vcpu0 stuck at .*mutex_lock/);
    assert.equal(await page.$eval('#enabled-count', (e) => e.textContent), '0');
    const panel = await statePanel(page, '#view');
    const permalink = await page.$eval('#permalink', (a) => (a as HTMLAnchorElement).href);
    assert.deepEqual(errors, []);

    const fresh = await openPage(session);
    await fresh.page.goto(permalink);
    assert.deepEqual(await pathShown(fresh.page, 24), ids);
    assert.equal(await selectedRow(fresh.page, '#view'), 24);
    assert.deepEqual(await statePanel(fresh.page, '#view'), panel);
    assert.deepEqual(fresh.errors, []);
    await fresh.page.close();
    await page.close();
  });

  test('a tampered URL shows what is wrong and a way back, without a script error', async () => {
    const { page, errors } = await openPage(session);
    await page.goto(`${server.url}?init=0&path=vcpu0%3Ahcall.set_timer_op(expired),not-a-step`);
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.$eval('#error', (e) => e.textContent ?? ''), /step 2 'not-a-step' is not a step of model xen-timer.*start again from the initial state/);
    assert.equal(await page.$eval('#view', (e) => (e as HTMLElement).hidden), true);
    // Chromium logs the 400 response itself; nothing else may appear
    assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
    await page.click('#error a');
    await pathShown(page, 0);
    await page.close();
  });
});
