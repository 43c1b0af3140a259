/**
 * The organism as a graph, laid out in columns like Kiali's versioned-app graph: the gateway's
 * routes on the left as entry points, then cells by call depth (longest path from an entry, so a
 * chain reads left to right). Pure: the Organism view renders what this returns.
 */
import type { OrganismView } from '../../engine/api/schema.ts';

/** A node: a gateway route or a cell. */
export interface TopoNode {
  id: string;
  kind: 'route' | 'cell';
  /** Cell name, or the route (`GET /products`). */
  name: string;
  layer: number;
  /** Centre of the node, in layout pixels. */
  x: number;
  y: number;
}

/** A directed edge: a route into its cell, or calls from a cell to another. */
export interface TopoEdge {
  id: string;
  kind: 'entry' | 'call';
  from: string;
  to: string;
  /** For entry edges, the route whose stats label the edge. */
  route?: string;
}

/** A laid-out graph. */
export interface Topology {
  nodes: TopoNode[];
  edges: TopoEdge[];
  width: number;
  height: number;
}

/** Sizes of the layout grid. */
export interface LayoutOptions {
  routeColumn: number;
  cellColumn: number;
  routeRow: number;
  cellRow: number;
  /** Nodes per column before a layer wraps into another column. */
  maxRows: number;
  margin: number;
}

/** Defaults sized for the Organism view's nodes. */
export const DEFAULT_LAYOUT: LayoutOptions = {
  routeColumn: 330,
  cellColumn: 280,
  routeRow: 56,
  cellRow: 150,
  maxRows: 6,
  margin: 40,
};

/**
 * Grid sizes for an organism of `cells` cells: the defaults, or for big organisms a denser grid
 * with columns about as tall as the picture is wide (their labels show only on selection).
 */
export function layoutFor(cells: number): LayoutOptions {
  if (cells <= 40) return DEFAULT_LAYOUT;
  return { ...DEFAULT_LAYOUT, cellColumn: 180, cellRow: 122, maxRows: Math.ceil(Math.sqrt(cells / 1.1)) };
}

/** Node id of a cell. */
export const cellId = (name: string): string => `cell:${name}`;
/** Node id of a route. */
export const routeId = (route: string): string => `route:${route}`;

/** Nodes and edges of an organism, before layout. */
export function buildGraph(organism: Pick<OrganismView, 'cells' | 'pathways'>): { nodes: TopoNode[]; edges: TopoEdge[] } {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  const cells = new Set(organism.cells.map((c) => c.name));
  for (const p of organism.pathways) {
    nodes.push({ id: routeId(p.route), kind: 'route', name: p.route, layer: 0, x: 0, y: 0 });
    if (cells.has(p.cell))
      edges.push({
        id: `${routeId(p.route)}>${p.cell}`,
        kind: 'entry',
        from: routeId(p.route),
        to: cellId(p.cell),
        route: p.route,
      });
  }
  const seen = new Set<string>();
  for (const c of organism.cells) {
    nodes.push({ id: cellId(c.name), kind: 'cell', name: c.name, layer: 1, x: 0, y: 0 });
    for (const op of c.operations)
      for (const call of op.calls) {
        const id = `${cellId(c.name)}>${call.cell}`;
        if (seen.has(id) || !cells.has(call.cell) || call.cell === c.name) continue;
        seen.add(id);
        edges.push({ id, kind: 'call', from: cellId(c.name), to: cellId(call.cell) });
      }
  }
  return { nodes, edges };
}

/** Layers by longest path from the entries; cycles are cut where a DFS meets a node in progress. */
function assignLayers(nodes: TopoNode[], edges: TopoEdge[]): void {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'active' | 'done'>();
  const order: string[] = [];
  const visit = (id: string): void => {
    if (state.has(id)) return;
    state.set(id, 'active');
    for (const to of out.get(id) ?? []) if (state.get(to) !== 'active') visit(to);
    state.set(id, 'done');
    order.push(id);
  };
  for (const n of nodes) visit(n.id);
  order.reverse(); // a topological order of the acyclic part
  const rank = new Map(order.map((id, i) => [id, i]));
  for (const id of order) {
    const n = byId.get(id)!;
    for (const to of out.get(id) ?? []) {
      const t = byId.get(to)!;
      if (rank.get(to)! > rank.get(id)!) t.layer = Math.max(t.layer, n.layer + 1);
    }
  }
}

interface Column {
  nodes: TopoNode[];
  width: number;
  row: number;
}

/** Groups layers into columns (a layer longer than maxRows wraps into several columns). */
function columnsOf(layers: TopoNode[][], options: LayoutOptions): Column[] {
  const columns: Column[] = [];
  for (const layer of layers) {
    const isRoute = layer[0]?.kind === 'route';
    const max = isRoute ? Math.max(options.maxRows * 2, 12) : options.maxRows;
    const count = Math.ceil(layer.length / max);
    const per = Math.ceil(layer.length / count);
    for (let c = 0; c < count; c++)
      columns.push({
        nodes: layer.slice(c * per, (c + 1) * per),
        width: isRoute ? options.routeColumn : options.cellColumn,
        row: isRoute ? options.routeRow : options.cellRow,
      });
  }
  return columns;
}

/** Mean y of the given neighbours that are placed already; undefined when none is. */
function meanY(ids: readonly string[] | undefined, placed: ReadonlySet<string>, byId: Map<string, TopoNode>): number | undefined {
  const ys = (ids ?? []).filter((id) => placed.has(id)).map((id) => byId.get(id)!.y);
  return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : undefined;
}

/**
 * Places layers left to right, ordering each by the mean y of its already placed predecessors
 * (the barycenter heuristic), which removes most crossings. A second pass orders the routes by
 * the cells they feed and places the cells again.
 */
function placeLayers(layers: TopoNode[][], edges: TopoEdge[], options: LayoutOptions): { width: number; height: number } {
  const byId = new Map(layers.flat().map((n) => [n.id, n]));
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const e of edges) {
    preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
    succs.set(e.from, [...(succs.get(e.from) ?? []), e.to]);
  }
  const sizes = columnsOf(layers, options);
  const tallest = Math.max(1, ...sizes.map((c) => c.nodes.length * c.row));
  const sweep = (order: (layer: TopoNode[], placed: Set<string>) => TopoNode[]): number => {
    const placed = new Set<string>();
    let x = options.margin;
    for (const layer of layers) {
      const ordered = order(layer, placed);
      for (const col of columnsOf([ordered], options)) {
        const top = options.margin + (tallest - col.nodes.length * col.row) / 2;
        col.nodes.forEach((n, i) => {
          n.x = x + col.width / 2;
          n.y = top + (i + 0.5) * col.row;
          placed.add(n.id);
        });
        x += col.width;
      }
    }
    return x;
  };
  const byKey = (layer: TopoNode[], key: (n: TopoNode) => number | undefined): TopoNode[] =>
    layer
      .map((n, i) => ({ n, k: key(n) ?? Number.MAX_SAFE_INTEGER, i }))
      .sort((a, b) => a.k - b.k || a.i - b.i)
      .map((e) => e.n);
  const down = (layer: TopoNode[], placed: Set<string>): TopoNode[] =>
    layer[0]?.kind === 'route' ? layer : byKey(layer, (n) => meanY(preds.get(n.id), placed, byId));
  sweep(down);
  // Routes in the order of the cells they feed, then the cells again with the routes moved.
  const all = new Set(byId.keys());
  const routes = layers[0]?.[0]?.kind === 'route' ? layers[0] : undefined;
  if (routes) layers[0] = byKey(routes, (n) => meanY(succs.get(n.id), all, byId));
  const width = sweep((layer, placed) => (layer === layers[0] ? layer : down(layer, placed)));
  return { width: width + options.margin, height: tallest + options.margin * 2 };
}

/** Lays out an organism's graph; coordinates are node centres. */
export function layoutTopology(
  organism: Pick<OrganismView, 'cells' | 'pathways'>,
  options: LayoutOptions = DEFAULT_LAYOUT,
): Topology {
  const { nodes, edges } = buildGraph(organism);
  assignLayers(nodes, edges);
  const layers: TopoNode[][] = [];
  for (const n of nodes) (layers[n.layer] ??= []).push(n);
  const { width, height } = placeLayers(
    layers.filter((l) => l !== undefined),
    edges,
    options,
  );
  return { nodes, edges, width, height };
}

/** Where an edge is drawn: its SVG path and where its label goes (call edges only: routes show
 * their figures in their own pill). */
export interface EdgeGeometry {
  d: string;
  label: { x: number; y: number } | undefined;
}

/** Half sizes of the drawn nodes: edges start and end on their outlines. */
export interface NodeSizes {
  /** Half the width of a route pill. */
  routeHalf: number;
  /** Radius at which edges meet a cell. */
  cellRadius: number;
  /** Horizontal gap between a column's nodes and the next column's (label room). */
  gap: number;
  /**
   * Whether to search for label spots that cover nothing and to route edges around the cells
   * they pass (default true). Big organisms skip both: they show labels only around the selected
   * cell, at each curve's midpoint, and their rows are too close for lanes between cells; the
   * searches over a hundred edges would be most of their layout time.
   */
  detailed?: boolean;
}

type Point = { x: number; y: number };

function bezier(p0: Point, p1: Point, p2: Point, p3: Point, t: number): Point {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const c = 3 * u * t * t;
  const d = t * t * t;
  return { x: a * p0.x + b * p1.x + c * p2.x + d * p3.x, y: a * p0.y + b * p1.y + c * p2.y + d * p3.y };
}

/** Spread of `count` ports on a circle's side, centred: offsets in y. */
function portOffsets(count: number, radius: number): number[] {
  const step = Math.min(16, (radius * 1.3) / Math.max(1, count));
  return Array.from({ length: count }, (_, i) => (i - (count - 1) / 2) * step);
}

/**
 * Paths of every edge: forward edges as horizontal S-curves between ports spread over the
 * nodes' sides (so arrows into a busy cell do not pile up), labelled in the first gap after the
 * source (a long edge's midpoint can fall on a node it passes); back edges loop below.
 */
export function edgeGeometry(topo: Topology, sizes: NodeSizes): Map<string, EdgeGeometry> {
  const byId = new Map(topo.nodes.map((n) => [n.id, n]));
  const half = (n: TopoNode): number => (n.kind === 'route' ? sizes.routeHalf : sizes.cellRadius);
  const forward = topo.edges.filter(
    (e) => byId.get(e.to)!.x - half(byId.get(e.to)!) > byId.get(e.from)!.x + half(byId.get(e.from)!) + 10,
  );
  const outPort = new Map<string, number>();
  const inPort = new Map<string, number>();
  const assign = (key: 'from' | 'to', other: 'from' | 'to', into: Map<string, number>): void => {
    const groups = new Map<string, TopoEdge[]>();
    for (const e of forward) groups.set(e[key], [...(groups.get(e[key]) ?? []), e]);
    for (const [id, list] of groups) {
      const node = byId.get(id)!;
      list.sort((a, b) => byId.get(a[other])!.y - byId.get(b[other])!.y);
      const offsets = node.kind === 'route' ? list.map(() => 0) : portOffsets(list.length, sizes.cellRadius);
      list.forEach((e, i) => into.set(e.id, offsets[i]!));
    }
  };
  assign('from', 'to', outPort);
  assign('to', 'from', inPort);
  const out = new Map<string, EdgeGeometry>();
  const nodeBoxes: Box[] = topo.nodes.map((n) =>
    n.kind === 'route'
      ? { x1: n.x - sizes.routeHalf, x2: n.x + sizes.routeHalf, y1: n.y - 22, y2: n.y + 22 }
      : {
          x1: n.x - CELL_CLEAR.halfWidth - CELL_CLEAR.margin,
          x2: n.x + CELL_CLEAR.halfWidth + CELL_CLEAR.margin,
          y1: n.y - CELL_CLEAR.above,
          y2: n.y + CELL_CLEAR.below,
        },
  );
  const labelBoxes: Box[] = [];
  const detailed = sizes.detailed !== false;
  const columns = cellColumns(topo.nodes);
  for (const e of topo.edges) {
    const from = byId.get(e.from)!;
    const to = byId.get(e.to)!;
    if (!outPort.has(e.id)) {
      out.set(e.id, backEdge(from, to, half(from), half(to)));
      continue;
    }
    const side = (n: TopoNode, dy: number, dir: 1 | -1): Point => {
      const h = half(n);
      const dx = n.kind === 'route' ? h : Math.sqrt(Math.max(0, h * h - dy * dy));
      return { x: n.x + dir * dx, y: n.y + dy };
    };
    const p0 = side(from, outPort.get(e.id)!, 1);
    const p3 = side(to, inPort.get(e.id)!, -1);
    const curves = detailed ? routeAround(p0, p3, columns) : [sCurve(p0, p3)];
    out.set(e.id, {
      d: `M${r(p0.x)},${r(p0.y)}${curves.map(([, c1, c2, end]) => ` C${r(c1.x)},${r(c1.y)} ${r(c2.x)},${r(c2.y)} ${r(end.x)},${r(end.y)}`).join('')}`,
      label:
        e.kind !== 'call'
          ? undefined
          : detailed
            ? placeLabel(curves, sizes.gap, nodeBoxes, labelBoxes)
            : bezier(...curves[0]!, 0.5),
    });
  }
  return out;
}

const r = (v: number): number => Math.round(v * 10) / 10;

type Curve = [Point, Point, Point, Point];

/** A horizontal S-curve from a to b: it leaves and arrives level, and turns half-way. */
function sCurve(a: Point, b: Point): Curve {
  const dx = (b.x - a.x) / 2;
  return [a, { x: a.x + dx, y: a.y }, { x: b.x - dx, y: b.y }, b];
}

/**
 * What a cell covers around its centre: its circle and, under it, its name and figures. Edges
 * keep clear of it, and labels keep a margin more. Cells of one column sit a row (150 px) apart,
 * which leaves a lane between each figure line and the next circle.
 */
const CELL_CLEAR = { halfWidth: 60, above: 50, below: 82, margin: 14 };

/** The cells of each column (by centre x), top to bottom. */
function cellColumns(nodes: readonly TopoNode[]): Map<number, TopoNode[]> {
  const columns = new Map<number, TopoNode[]>();
  for (const n of nodes) if (n.kind === 'cell') columns.set(n.x, [...(columns.get(n.x) ?? []), n]);
  for (const column of columns.values()) column.sort((a, b) => a.y - b.y);
  return columns;
}

const blocks = (column: readonly TopoNode[], y: number): boolean =>
  column.some((n) => y > n.y - CELL_CLEAR.above && y < n.y + CELL_CLEAR.below);

/** Heights at which an edge passes a column clear of its cells: above, between and below them. */
function lanesOf(column: readonly TopoNode[]): number[] {
  const lanes = [column[0]!.y - CELL_CLEAR.above - CELL_CLEAR.margin];
  for (let i = 0; i + 1 < column.length; i++) {
    const free = [column[i]!.y + CELL_CLEAR.below, column[i + 1]!.y - CELL_CLEAR.above];
    if (free[1]! - free[0]! >= CELL_CLEAR.margin) lanes.push((free[0]! + free[1]!) / 2);
  }
  lanes.push(column.at(-1)!.y + CELL_CLEAR.below + CELL_CLEAR.margin);
  return lanes;
}

/**
 * The curves of a forward edge that crosses columns of cells: where the plain S-curve would pass
 * through a cell (its circle or its figures), the edge goes through the nearest lane of that
 * column instead, so an arrow into a far cell is never read as entering one on its way.
 */
function routeAround(p0: Point, p3: Point, columns: ReadonlyMap<number, TopoNode[]>): Curve[] {
  const curves: Curve[] = [];
  let from = p0;
  const crossed = [...columns.keys()]
    .filter((x) => x - CELL_CLEAR.halfWidth > p0.x && x + CELL_CLEAR.halfWidth < p3.x)
    .sort((a, b) => a - b);
  for (const x of crossed) {
    const column = columns.get(x)!;
    const curve = sCurve(from, p3);
    const hit = [x - CELL_CLEAR.halfWidth, x, x + CELL_CLEAR.halfWidth].some((at) => blocks(column, pointAtX(curve, at).y));
    if (!hit) continue;
    const y = pointAtX(curve, x).y;
    const lane = lanesOf(column).reduce((best, l) => (Math.abs(l - y) < Math.abs(best - y) ? l : best));
    const via = { x, y: lane };
    curves.push(sCurve(from, via));
    from = via;
  }
  curves.push(sCurve(from, p3));
  return curves;
}

interface Box {
  x1: number;
  x2: number;
  y1: number;
  y2: number;
}

/** Size of an edge label ("12 rps · 0.1% · 48 ms" at 11.5 px), drawn 7 px above its point. */
const LABEL = { width: 128, height: 16, lift: 7 };

const overlaps = (a: Box, b: Box): boolean => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** Rises and drops (px) tried when every spot on the curve covers another label. */
const NUDGES = [0, -18, 18, -36, 36];

/**
 * A label point on a curve: in the first gap after the source (or the last before the target),
 * at the first of a few candidate spots whose label box hits no node and no earlier label. Cells
 * in one row leave a gap narrower than a label, so every spot between them touches a node's
 * padding; then the first spot clear of other labels wins, and failing that the label rises or
 * drops off its curve until it is clear (two labels on one spot cannot be read at all).
 */
function placeLabel(curves: Curve[], gap: number, nodes: Box[], labels: Box[]): Point {
  const p0 = curves[0]![0];
  const p3 = curves.at(-1)![3];
  // Candidates: across the first gap after the source, then across the last before the target.
  const span = Math.min(p3.x - p0.x, gap);
  const xs = [0.5, 0.3, 0.7, 0.15, 0.85]
    .flatMap((f) => [p0.x + f * span, p3.x - (1 - f) * span])
    .filter((x) => x >= p0.x && x <= p3.x);
  const at = (x: number): Point => pointAtX(curves.find((c) => x <= c[3].x) ?? curves.at(-1)!, x);
  const spots = xs.map((x) => {
    const point = at(x);
    const cy = point.y - LABEL.lift;
    return {
      point,
      box: { x1: point.x - LABEL.width / 2, x2: point.x + LABEL.width / 2, y1: cy - LABEL.height / 2 - 4, y2: cy + 4 },
    };
  });
  const clear = (box: Box, of: Box[]): boolean => !of.some((t) => overlaps(t, box));
  const chosen =
    spots.find((s) => clear(s.box, nodes) && clear(s.box, labels)) ??
    NUDGES.flatMap((dy) =>
      spots.map(({ point, box }) => ({
        point: { x: point.x, y: point.y + dy },
        box: { ...box, y1: box.y1 + dy, y2: box.y2 + dy },
      })),
    ).find((s) => clear(s.box, labels)) ??
    spots[0]!;
  labels.push(chosen.box);
  return chosen.point;
}

/** The point of a left-to-right cubic curve at a given x (bisection on t, allocation-free). */
function pointAtX(curve: Curve, x: number): Point {
  const [a, b, c, d] = curve;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 20; i++) {
    const t = (lo + hi) / 2;
    const u = 1 - t;
    const xt = u * u * u * a.x + 3 * u * u * t * b.x + 3 * u * t * t * c.x + t * t * t * d.x;
    if (xt < x) lo = t;
    else hi = t;
  }
  return bezier(a, b, c, d, lo);
}

function backEdge(from: TopoNode, to: TopoNode, fromHalf: number, toHalf: number): EdgeGeometry {
  const drop = Math.max(from.y, to.y) + 90;
  const p0 = { x: from.x, y: from.y + fromHalf };
  const p3 = { x: to.x, y: to.y + toHalf };
  const p1 = { x: from.x, y: drop };
  const p2 = { x: to.x, y: drop };
  return {
    d: `M${r(p0.x)},${r(p0.y)} C${r(p1.x)},${r(p1.y)} ${r(p2.x)},${r(p2.y)} ${r(p3.x)},${r(p3.y)}`,
    label: bezier(p0, p1, p2, p3, 0.5),
  };
}
