/**
 * The topology of a large organism drawn on a canvas. With a hundred cells the DOM version costs
 * a style, layout and paint of ~1,500 objects on first render and a relayout of ~350 of them on
 * every metrics frame; one canvas pass draws the same picture in a few milliseconds. The page
 * keeps a transparent button over each cell for focus, clicks and screen readers, and draws
 * the selected cell's edges (with their flowing dashes and labels) in SVG above the canvas.
 * Pure drawing: every input comes in {@link TopologyPicture}.
 */
import type { HealthLevel } from './health.ts';
import type { TopoNode } from './topology.ts';

/** Colours, read from the page's CSS variables (they follow the light or dark scheme). */
export interface Palette {
  ok: string;
  warn: string;
  bad: string;
  idle: string;
  info: string;
  edge: string;
  fg: string;
  fgMuted: string;
  surface: string;
  font: string;
}

/** CSS variable behind each palette entry. */
export const PALETTE_VARS: Record<keyof Palette, string> = {
  ok: '--ok',
  warn: '--warn',
  bad: '--bad',
  idle: '--idle',
  info: '--info',
  edge: '--edge',
  fg: '--fg',
  fgMuted: '--fg-muted',
  surface: '--surface',
  font: '--font',
};

/** A cell as drawn: where, in which health, and its figures. */
export interface CellPicture {
  node: TopoNode;
  level: HealthLevel;
  ready: number;
  /** The line under the name ("12 rps · p99 4 ms" or "idle"). */
  figures: string;
  selected: boolean;
}

/** An edge as drawn. */
export interface EdgePicture {
  d: string;
  level: HealthLevel;
  width: number;
  /** Faded: another cell is selected. */
  dim: boolean;
}

/** Everything one frame draws. */
export interface TopologyPicture {
  /** Canvas size in CSS pixels and the device pixel ratio. */
  width: number;
  height: number;
  dpr: number;
  /** The stage's placement in the canvas: layout pixels × scale + offset. */
  scale: number;
  offsetX: number;
  offsetY: number;
  edges: EdgePicture[];
  cells: CellPicture[];
  palette: Palette;
}

/** The health colour of a level. */
export function levelColor(level: HealthLevel, p: Palette): string {
  switch (level) {
    case 'healthy':
      return p.ok;
    case 'starting':
      return p.info;
    case 'degraded':
      return p.warn;
    case 'failing':
    case 'down':
      return p.bad;
    case 'idle':
      return p.idle;
  }
}

/** Layout of a compact cell around its node centre, matching CellNode's compact disc. */
export const CELL = { discDy: -10, radius: 34, nameDy: 44, figuresDy: 62 } as const;

const paths = new Map<string, Path2D>();

/** Path2D objects parsed once per distinct `d` (the layout changes only with the organism's shape). */
function pathOf(d: string): Path2D {
  let p = paths.get(d);
  if (!p) {
    if (paths.size > 5000) paths.clear();
    p = new Path2D(d);
    paths.set(d, p);
  }
  return p;
}

/** What a frame drew: the counts the page shows on the canvas element (for tests and tools). */
export interface Painted {
  cells: number;
  edges: number;
}

/**
 * Sizes `canvas` for the picture (device pixels) and draws it: the same on the page's canvas and
 * on a worker's OffscreenCanvas, whose 2D context has the APIs drawTopology uses.
 */
export function paintPicture(
  canvas: { width: number; height: number },
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  pic: TopologyPicture,
): Painted {
  const width = Math.round(pic.width * pic.dpr);
  const height = Math.round(pic.height * pic.dpr);
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  drawTopology(ctx as CanvasRenderingContext2D, pic);
  return { cells: pic.cells.length, edges: pic.edges.length };
}

/** Draws one frame of the topology. */
export function drawTopology(ctx: CanvasRenderingContext2D, pic: TopologyPicture): void {
  const { dpr, palette: p } = pic;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, pic.width * dpr, pic.height * dpr);
  ctx.setTransform(dpr * pic.scale, 0, 0, dpr * pic.scale, dpr * pic.offsetX, dpr * pic.offsetY);

  for (const e of pic.edges) {
    ctx.globalAlpha = (e.dim ? 0.3 : 1) * 0.85;
    if (e.level === 'idle') {
      ctx.strokeStyle = p.edge;
      ctx.setLineDash([4, 5]);
    } else {
      ctx.strokeStyle = levelColor(e.level, p);
      ctx.setLineDash([]);
    }
    ctx.lineWidth = e.width;
    ctx.stroke(pathOf(e.d));
  }
  ctx.setLineDash([]);

  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const c of pic.cells) {
    const { x, y } = c.node;
    const cy = y + CELL.discDy;
    const h = levelColor(c.level, p);
    ctx.globalAlpha = 1;
    if (c.selected) {
      ctx.beginPath();
      ctx.arc(x, cy, CELL.radius + 6, 0, 2 * Math.PI);
      ctx.fillStyle = h;
      ctx.globalAlpha = 0.35;
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    ctx.beginPath();
    ctx.arc(x, cy, CELL.radius, 0, 2 * Math.PI);
    ctx.fillStyle = p.surface;
    ctx.fill();
    ctx.fillStyle = h;
    ctx.globalAlpha = 0.1;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = h;
    ctx.stroke();

    ctx.fillStyle = p.fg;
    ctx.font = `700 17px ${p.font}`;
    ctx.fillText(String(c.ready), x, cy + 1);
    ctx.font = `650 14px ${p.font}`;
    ctx.fillText(c.node.name, x, y + CELL.nameDy, 148);
    ctx.fillStyle = p.fgMuted;
    ctx.font = `12px ${p.font}`;
    ctx.fillText(c.figures, x, y + CELL.figuresDy, 150);
  }
  ctx.globalAlpha = 1;
}
