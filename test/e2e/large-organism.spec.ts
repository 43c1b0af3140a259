// A large organism (over 40 cells): the topology is drawn on a canvas — by a worker when the
// browser can hand it an OffscreenCanvas, by the page otherwise — under transparent cell buttons.
import type { Page } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, withEngine } from './fixtures.ts';

const CELLS = 48;

/** 8 front cells behind 8 routes, each calling 5 leaves. */
function organismYaml(): string {
  const lines = ['apiVersion: petri/v1', 'kind: Organism', 'metadata: { name: big }', 'cells:'];
  const cell = (name: string, calls: string[]): void => {
    lines.push(`  - name: ${name}`, '    operations:', '      - name: op', '        latency: { p50: 1ms, p99: 4ms }');
    if (calls.length) lines.push(`        calls: [${calls.map((c) => `{ cell: ${c}, op: op }`).join(', ')}]`);
  };
  for (let i = 0; i < 8; i++)
    cell(
      `front-${i}`,
      [0, 1, 2, 3, 4].map((k) => `leaf-${i * 5 + k}`),
    );
  for (let i = 0; i < CELLS - 8; i++) cell(`leaf-${i}`, []);
  lines.push('pathways:');
  for (let i = 0; i < 8; i++) lines.push(`  - { route: GET /r${i}, to: front-${i}.op }`);
  return `${lines.join('\n')}\n`;
}

/** Share of pixels in a screenshot of `box` that differ from its top-left pixel (the background). */
async function inkAround(page: Page, box: { x: number; y: number; width: number; height: number }): Promise<number> {
  const png = await page.screenshot({ clip: box, animations: 'disabled' });
  // Decoded by the page itself (the CSP allows data: images): no PNG decoder in the test.
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    [c.width, c.height] = [img.width, img.height];
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < px.length; i += 4)
      if (Math.abs(px[i]! - px[0]!) + Math.abs(px[i + 1]! - px[1]!) + Math.abs(px[i + 2]! - px[2]!) > 48) ink++;
    return ink / (px.length / 4);
  }, png.toString('base64'));
}

for (const painter of ['worker', 'page'] as const)
  test(`a ${CELLS}-cell organism is drawn on the canvas (painted by the ${painter})`, async ({ page }) => {
    test.setTimeout(60_000);
    if (painter === 'page')
      await page.addInitScript(() => {
        // As in a browser without OffscreenCanvas: the painter must fall back to the page.
        delete (HTMLCanvasElement.prototype as Partial<HTMLCanvasElement>).transferControlToOffscreen;
      });
    const dir = mkdtempSync(join(tmpdir(), 'petri-e2e-big-'));
    const file = join(dir, 'big.yaml');
    writeFileSync(file, organismYaml());
    try {
      await withEngine(
        async (engine) => {
          await page.goto(engine.url);
          await expect(page.locator('button[data-cell]')).toHaveCount(CELLS);
          const canvas = page.locator('main canvas[data-painted-cells]');
          await expect(canvas).toHaveAttribute('data-painted-cells', String(CELLS));
          // Where a cell's button is, the canvas drew its disc, count and name; left of the routes, nothing.
          const cell = (await page.locator('[data-cell="leaf-0"]').boundingBox())!;
          const ink = await inkAround(page, cell);
          const main = (await page.locator('main').boundingBox())!;
          const blank = await inkAround(page, { x: main.x + 8, y: main.y + main.height / 2, width: 30, height: 30 });
          expect(ink, `share of drawn pixels over leaf-0 (${ink.toFixed(3)})`).toBeGreaterThan(0.05);
          expect(blank, 'an empty corner stays empty').toBeLessThan(0.01);
          // Selecting a cell redraws: the selected cell's edges move to SVG above the canvas.
          await page.locator('[data-cell="front-0"]').click();
          await expect(page.locator('[data-cell="front-0"]')).toHaveAttribute('aria-pressed', 'true');
          await expect(page.locator('svg .edge.active')).toHaveCount(6); // its route's edge and 5 calls
          await page.goto('about:blank'); // before this engine stops: a page left open would log its going
        },
        ['--organism', file],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
