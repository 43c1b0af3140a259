/**
 * Playwright fixtures: one `petri serve` per worker on a temp data dir (ports chosen by the OS),
 * an API client for checking what the UI did, console-error collection on every page, and axe.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../engine/api/client.ts';
import { startServe, type ServeChild } from '../helpers/cli.ts';

/** The engine under test. */
export interface Engine {
  serve: ServeChild;
  /** The UI URL with its token. */
  url: string;
  api: ApiClient;
}

/** Stops a serve child: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopServe(serve: ServeChild, graceMs = 8000): Promise<void> {
  const child = serve.child;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGCONT'); // a test may have frozen it
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts `petri serve` (the demo organism unless `args` name another) on a fresh data dir; stops
 * it and removes the dir when `use` returns.
 */
export async function withEngine(use: (engine: Engine) => Promise<void>, args: string[] = []): Promise<void> {
  const data = mkdtempSync(join(tmpdir(), 'petri-e2e-'));
  const serve = await startServe(['--data', data, '--port', '0', '--gateway-port', '0', ...args]);
  try {
    await use({ serve, url: `${serve.ui}/#token=${serve.token}`, api: new ApiClient(serve.ui, serve.token) });
  } finally {
    await stopServe(serve);
    rmSync(data, { recursive: true, force: true });
  }
}

interface Fixtures {
  /** Console messages that may appear in this test (e.g. a refused token logs a 401). */
  allowedConsoleErrors: RegExp | undefined;
  /** Errors the page logged; checked to be empty (minus the allowed) after each test. */
  consoleErrors: string[];
}

/** Tests get `engine` (shared by the worker) and a `page` whose console errors fail the test. */
export const test = base.extend<Fixtures, { engine: Engine }>({
  // Playwright reads a fixture's dependencies from its first parameter's pattern: it must be {}.
  // eslint-disable-next-line no-empty-pattern
  engine: [async ({}, use) => withEngine(use), { scope: 'worker', timeout: 40_000 }],
  allowedConsoleErrors: [undefined, { option: true }],
  consoleErrors: [
    async ({ page, allowedConsoleErrors }, use) => {
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && !allowedConsoleErrors?.test(m.text())) errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
      await use(errors);
      expect(errors, 'the page logged no errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Violations of axe rules with serious or critical impact on the current page. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol: the page's CSP (rightly) refuses injected script tags.
  await page.evaluate(readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<AxeResults> } }).axe;
    const res = await axe.run(document, { resultTypes: ['violations'] });
    return res.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations;
}

interface AxeResults {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }>;
}
