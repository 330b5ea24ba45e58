/**
 * The HTML report in a real browser: `check --all-violations --output x.html` on seed-v2, whose
 * `deadlock` violation is FINDINGS.md F1 (24 steps, the recursive xen_lock; its step numbers and C
 * lines are those of FINDINGS.md and README.md).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cliAsync, tempDir } from '../cli/helpers.js';
import { browserSkip, launch, openPage, selectedRow, statePanel, type Session, type Watched } from './browser.js';


describe('HTML report in Chromium', { skip: browserSkip() }, () => {
  let session: Session;
  let file: string;
  let w: Watched;
  /** The section of the F1 deadlock trace. */
  let f1: string;

  before(async () => {
    file = join(tempDir(), 'seed-v2.html');
    const [run, s] = await Promise.all([cliAsync(['check', '--all-violations', '--no-timing', '--quiet', '--output', file]), launch()]);
    session = s;
    assert.equal(run.code, 1, run.stderr);
    w = await openPage(session);
    await w.page.goto(pathToFileURL(file).href);
    const index = await w.page.$$eval('section.violation[data-v]', (els) => els.findIndex((e) => e.querySelector('h2')?.textContent?.startsWith('✗ deadlock')));
    assert.ok(index >= 0, 'the report has a deadlock section');
    f1 = `section.violation[data-v="${index}"]`;
  });
  after(async () => {
    await session?.close();
  });

  test('loads without console errors and requests nothing but itself', () => {
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.requests, [pathToFileURL(file).href]);
  });

  test('the F1 deadlock trace renders with every step, the violating one marked and selected', async () => {
    const rows = await w.page.$$eval(`${f1} g.row`, (els) => els.map((e) => Number(e.getAttribute('data-k'))));
    // 24 steps (FINDINGS.md F1) and row 0 for the initial state
    assert.deepEqual(rows, Array.from({ length: 25 }, (_, k) => k));
    const numbers = await w.page.$$eval(`${f1} g.row.step .num`, (els) => els.map((e) => e.textContent));
    assert.deepEqual(numbers, Array.from({ length: 24 }, (_, k) => String(k + 1)));
    assert.equal(await w.page.$eval(`${f1} g.row.violating`, (e) => e.getAttribute('data-k')), '24');
    assert.equal(await selectedRow(w.page, f1), 24);
    // the selection is shown by a ▶ cursor too, not by colour alone
    assert.equal(await w.page.$eval(`${f1} g.row.sel .cursor`, (e) => getComputedStyle(e).visibility), 'visible');
    assert.equal(await w.page.$eval(`${f1} g.row[data-k="3"] .cursor`, (e) => getComputedStyle(e).visibility), 'hidden');
    assert.match(await w.page.$eval(`${f1} .failure`, (e) => e.textContent ?? ''), /✗ deadlock: vcpu0 stuck at .*mutex_lock/);
    // step 17 is kvm_xen_vcpu_get_attr's mutex_lock (README's race diagram)
    assert.match(await w.page.$eval(`${f1} g.row[data-k="17"] .code`, (e) => e.textContent ?? ''), /kvm_xen_vcpu_get_attr\(\).*mutex_lock\(&vcpu->kvm->arch\.xen\.xen_lock\)/);
    const legend = await w.page.$eval(`${f1} .legend`, (e) => e.textContent ?? '');
    assert.match(legend, /held: kvm->arch\.xen\.xen_lock/);
    assert.match(legend, /hatched: interrupts disabled/);
  });

  test('the keyboard steps through the trace and the state panel follows', async () => {
    await w.page.focus(f1);
    const at24 = await statePanel(w.page, f1);
    assert.match(at24['vcpu0.pc']![0], /^get_attr>inject>set_evtchn\.mutex_lock/);
    assert.equal(at24['vcpu0.pc']![1], true);
    await w.page.keyboard.press('ArrowLeft');
    assert.equal(await selectedRow(w.page, f1), 23);
    assert.equal(await w.page.$eval(`${f1} .pos`, (e) => e.textContent), 'step 23 of 24');
    const at23 = await statePanel(w.page, f1);
    assert.notDeepEqual(at23, at24);
    await w.page.keyboard.press('ArrowRight');
    assert.equal(await selectedRow(w.page, f1), 24);
    await w.page.keyboard.press('ArrowRight');
    assert.equal(await selectedRow(w.page, f1), 24, 'stays on the last step');
    await w.page.keyboard.press('Home');
    assert.equal(await selectedRow(w.page, f1), 0);
    assert.match(await w.page.$eval(`${f1} .step-detail`, (e) => e.textContent ?? ''), /Initial state/);
    const init = await statePanel(w.page, f1);
    assert.ok(Object.values(init).every(([, changed]) => !changed), 'nothing is marked changed in the initial state');
  });

  test('the mouse selects a row and the buttons step', async () => {
    await w.page.click(`${f1} g.row[data-k="17"] .code`);
    assert.equal(await selectedRow(w.page, f1), 17);
    assert.match(await w.page.$eval(`${f1} .step-detail pre`, (e) => e.textContent ?? ''), /^mutex_lock\(&vcpu->kvm->arch\.xen\.xen_lock\);/);
    const panel = await statePanel(w.page, f1);
    // step 17 takes xen_lock: its owner becomes vcpu0 (process 0, stored as 1)
    assert.deepEqual(panel['kvm->arch.xen.xen_lock.owner'], ['1 (was 0)', true]);
    await w.page.click(`${f1} button[data-act="prev"]`);
    assert.equal(await selectedRow(w.page, f1), 16);
    await w.page.click(`${f1} button[data-act="next"]`);
    await w.page.click(`${f1} button[data-act="next"]`);
    assert.equal(await selectedRow(w.page, f1), 18);
    assert.deepEqual(w.errors, []);
  });

  test('fits a laptop width and prints without the controls', async () => {
    for (const width of [1280, 1024]) {
      await w.page.setViewport({ width, height: 800 });
      const overflow = await w.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `no horizontal page scroll at ${width} px`);
    }
    await w.page.emulateMediaType('print');
    assert.equal(await w.page.$eval(`${f1} .controls`, (e) => getComputedStyle(e).display), 'none');
    assert.equal(await w.page.$eval(`${f1} .diagram`, (e) => getComputedStyle(e).overflow), 'visible');
    await w.page.emulateMediaType();
  });
});
