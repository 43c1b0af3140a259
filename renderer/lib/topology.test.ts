import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrganismView } from '../../engine/api/schema.ts';
import {
  DEFAULT_LAYOUT,
  buildGraph,
  cellId,
  edgeGeometry,
  layoutFor,
  layoutTopology,
  routeId,
  type TopoNode,
} from './topology.ts';

type Shape = Pick<OrganismView, 'cells' | 'pathways'>;

/** A cell in API form, calling `calls` (`cell.op`). */
function cell(name: string, calls: string[] = []): OrganismView['cells'][number] {
  return {
    name,
    desired: 1,
    concurrency: 1,
    queue: 1,
    startupMs: 0,
    operations: [
      {
        name: 'op',
        p50Ms: 1,
        p99Ms: 2,
        errorRate: 0,
        calls: calls.map((c) => ({ cell: c.split('.')[0]!, op: 'op', timeoutMs: 100, retries: 0 })),
      },
    ],
    scaling: { policy: 'none', min: 0, max: 1, targetUtilization: 0.5 },
    replicas: [],
  };
}

function route(r: string, cellName: string): OrganismView['pathways'][number] {
  const [method, path] = r.split(' ');
  return { route: r, method: method!, path: path!, cell: cellName, op: 'op', auth: 'none', scopes: [], timeoutMs: 1000 };
}

/** The demo shop's call graph (fixtures/organisms/demo.yaml) without its accounts cell. */
const SHOP: Shape = {
  cells: [
    cell('catalog', ['inventory', 'pricing']),
    cell('inventory'),
    cell('pricing'),
    cell('cart', ['inventory']),
    cell('payments'),
    cell('checkout', ['cart', 'inventory', 'payments']),
  ],
  pathways: [
    route('GET /products', 'catalog'),
    route('GET /products/:id', 'catalog'),
    route('POST /cart/items', 'cart'),
    route('GET /cart', 'cart'),
    route('POST /checkout', 'checkout'),
  ],
};

/** The whole demo (fixtures/organisms/demo.yaml): its accounts cell lines checkout up with cart. */
const DEMO: Shape = {
  cells: [...SHOP.cells, cell('accounts')],
  pathways: [...SHOP.pathways, route('POST /login', 'accounts'), route('GET /account', 'accounts')],
};

/** Pairs of call-edge labels whose drawn text would cover each other. */
function labelClashes(shape: Shape): string[] {
  const geometry = [...edgeGeometry(layoutTopology(shape), { routeHalf: 96, cellRadius: 44, gap: 170 }).entries()];
  const labels = geometry.flatMap(([id, g]) => (g.label ? [{ id, ...g.label }] : []));
  const out: string[] = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++)
      if (Math.abs(labels[i]!.x - labels[j]!.x) < 128 && Math.abs(labels[i]!.y - labels[j]!.y) < 16)
        out.push(`${labels[i]!.id} × ${labels[j]!.id}`);
  return out;
}

/** Points along an SVG path of `M x,y C x,y x,y x,y …` segments. */
function samplePath(d: string): Array<{ x: number; y: number }> {
  const nums = d.match(/-?[\d.]+/g)!.map(Number);
  const pts: Array<{ x: number; y: number }> = [];
  for (let i = 2; i + 5 < nums.length; i += 6) {
    const [x0, y0] = [nums[i - 2]!, nums[i - 1]!];
    const [x1, y1, x2, y2, x3, y3] = nums.slice(i, i + 6) as [number, number, number, number, number, number];
    for (let k = 0; k <= 40; k++) {
      const t = k / 40;
      const u = 1 - t;
      pts.push({
        x: u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3,
        y: u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3,
      });
    }
  }
  return pts;
}

/** Edges whose drawn path crosses a cell (its circle, or the name and figures under it) other than its ends. */
function edgesThroughCells(shape: Shape): string[] {
  const t = layoutTopology(shape);
  const out: string[] = [];
  for (const [id, g] of edgeGeometry(t, { routeHalf: 96, cellRadius: 44, gap: 170 })) {
    const edge = t.edges.find((e) => e.id === id)!;
    if (!g.d.includes('C')) continue;
    const pts = samplePath(g.d);
    for (const n of t.nodes)
      if (n.kind === 'cell' && n.id !== edge.from && n.id !== edge.to)
        if (pts.some((p) => Math.abs(p.x - n.x) < 60 && p.y > n.y - 50 && p.y < n.y + 82)) out.push(`${id} through ${n.name}`);
  }
  return out;
}

const layerOf = (nodes: TopoNode[], id: string): number => nodes.find((n) => n.id === id)!.layer;

describe('topology', () => {
  it('builds one node per route and cell and one edge per distinct call', () => {
    const g = buildGraph(SHOP);
    assert.equal(g.nodes.length, 11);
    assert.equal(g.edges.filter((e) => e.kind === 'entry').length, 5);
    assert.deepEqual(
      g.edges.filter((e) => e.kind === 'call').map((e) => e.id),
      [
        'cell:catalog>inventory',
        'cell:catalog>pricing',
        'cell:cart>inventory',
        'cell:checkout>cart',
        'cell:checkout>inventory',
        'cell:checkout>payments',
      ],
    );
  });

  it('puts routes first and each cell one column after its deepest caller', () => {
    const t = layoutTopology(SHOP);
    assert.equal(layerOf(t.nodes, routeId('GET /products')), 0);
    assert.equal(layerOf(t.nodes, cellId('catalog')), 1);
    assert.equal(layerOf(t.nodes, cellId('checkout')), 1);
    assert.equal(layerOf(t.nodes, cellId('cart')), 2);
    assert.equal(layerOf(t.nodes, cellId('inventory')), 3, 'checkout → cart → inventory is the longest path');
    for (const e of t.edges) {
      const from = t.nodes.find((n) => n.id === e.from)!;
      const to = t.nodes.find((n) => n.id === e.to)!;
      assert.ok(to.x > from.x, `${e.id} points right`);
    }
  });

  it('keeps every node inside the layout and no two nodes on the same spot', () => {
    const t = layoutTopology(SHOP);
    const spots = new Set(t.nodes.map((n) => `${n.x},${n.y}`));
    assert.equal(spots.size, t.nodes.length);
    for (const n of t.nodes) assert.ok(n.x > 0 && n.x < t.width && n.y > 0 && n.y < t.height, n.id);
  });

  it('orders routes by the cells they feed, so routes of one cell sit together', () => {
    const t = layoutTopology(SHOP);
    const routes = t.nodes.filter((n) => n.kind === 'route').sort((a, b) => a.y - b.y);
    const targets = routes.map((r) => SHOP.pathways.find((p) => p.route === r.name)!.cell);
    const runs = targets.filter((c, i) => c !== targets[i - 1]).length;
    assert.equal(runs, new Set(targets).size, `routes grouped by cell: ${targets.join(', ')}`);
  });

  it('survives call cycles and self-calls', () => {
    const t = layoutTopology({ cells: [cell('a', ['b', 'a']), cell('b', ['a'])], pathways: [route('GET /a', 'a')] });
    assert.equal(t.nodes.length, 3);
    assert.equal(t.edges.length, 3, 'the self-call is not drawn');
    const g = edgeGeometry(t, { routeHalf: 96, cellRadius: 44, gap: 170 });
    assert.equal(g.size, 3);
    for (const geo of g.values()) assert.match(geo.d, /^M[\d.-]+,[\d.-]+ C/);
  });

  it('wraps a hundred unconnected cells into columns of at most maxRows', () => {
    const cells = Array.from({ length: 100 }, (_, i) => cell(`c${i}`));
    const t = layoutTopology({ cells, pathways: [] });
    const columns = new Map<number, number>();
    for (const n of t.nodes) columns.set(n.x, (columns.get(n.x) ?? 0) + 1);
    assert.equal(columns.size, 17);
    assert.ok(Math.max(...columns.values()) <= 6);
  });

  it('packs big organisms into a denser grid', () => {
    const cells = Array.from({ length: 100 }, (_, i) => cell(`c${i}`));
    const t = layoutTopology({ cells, pathways: [] }, layoutFor(100));
    const columns = new Set(t.nodes.map((n) => n.x)).size;
    assert.equal(columns, 10);
    assert.ok(t.width / t.height < 2, `aspect ${(t.width / t.height).toFixed(2)}`);
    assert.equal(layoutFor(6), DEFAULT_LAYOUT);
  });

  it('places edge labels where they do not cover each other', () => {
    const t = layoutTopology(SHOP);
    const geometry = [...edgeGeometry(t, { routeHalf: 96, cellRadius: 44, gap: 170 }).entries()];
    assert.ok(
      geometry.filter(([id]) => id.startsWith('route:')).every(([, g]) => g.label === undefined),
      'routes carry their own',
    );
    assert.equal(geometry.filter(([, g]) => g.label !== undefined).length, 6);
    assert.deepEqual(labelClashes(SHOP), []);
  });

  it('draws no edge through a cell it does not start or end at', () => {
    assert.deepEqual(edgesThroughCells(DEMO), []);
  });

  it('keeps labels apart where cells share a row and no spot is free of nodes (the whole demo)', () => {
    assert.deepEqual(labelClashes(DEMO), []);
  });
});
