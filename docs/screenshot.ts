/**
 * `npm run docs:screenshot`: regenerate docs/f1-trace.png, the F1 deadlock trace of seed-v2
 * (FINDINGS.md) as the HTML report draws it, from a fresh `check --all-violations` run, in the
 * headless Chromium the browser tests use. Nothing in the picture is drawn by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli, ROOT } from '../test/cli/helpers.js';
import { launch, openPage } from '../test/browser/browser.js';

const OUT = join(ROOT, 'docs', 'f1-trace.png');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xentimer-docs-'));
  const html = join(dir, 'seed-v2.html');
  const run = cli(['check', '--variant', 'seed-v2', '--all-violations', '--no-timing', '--quiet', '--output', html]);
  if (run.code !== 1) throw new Error(`check exited ${run.code}, expected 1 (violations): ${run.stderr}`);
  const session = await launch();
  try {
    const { page, errors } = await openPage(session, { width: 1366, height: 900 });
    await page.goto(pathToFileURL(html).href);
    const section = await page.evaluateHandle(() =>
      Array.from(document.querySelectorAll('section.violation[data-v]')).find((s) => s.querySelector('h2')?.textContent?.startsWith('✗ deadlock')),
    );
    const el = section.asElement();
    if (!el) throw new Error('the report has no deadlock section');
    await page.evaluate(() => document.querySelectorAll('.diagram, .panel').forEach((e) => ((e as HTMLElement).style.maxHeight = 'none')));
    await el.screenshot({ path: OUT });
    if (errors.length > 0) throw new Error(`the page logged errors: ${errors.join('; ')}`);
  } finally {
    await session.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`wrote ${OUT}\n`);
}

await main();
