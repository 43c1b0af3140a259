import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CELL, drawTopology, levelColor, type Palette, type TopologyPicture } from './topology-canvas.ts';

// Node has no Path2D: a stand-in that keeps the path data, so strokes can be told apart.
class FakePath {
  constructor(readonly d: string) {}
}
(globalThis as { Path2D?: unknown }).Path2D ??= FakePath;

type Call = {
  op: string;
  args: unknown[];
  state: { fillStyle: unknown; strokeStyle: unknown; globalAlpha: number; font: string };
};

/** A 2D context that records every drawing call with the state it was made in. */
function recorder(): { ctx: CanvasRenderingContext2D; calls: Call[] } {
  const calls: Call[] = [];
  const state = {
    fillStyle: '' as unknown,
    strokeStyle: '' as unknown,
    globalAlpha: 1,
    font: '',
    lineWidth: 1,
    textAlign: '',
    textBaseline: '',
  };
  const ctx = new Proxy(state, {
    get(target, key) {
      if (key in target) return target[key as keyof typeof target];
      return (...args: unknown[]) =>
        calls.push({
          op: String(key),
          args,
          state: {
            fillStyle: target.fillStyle,
            strokeStyle: target.strokeStyle,
            globalAlpha: target.globalAlpha,
            font: target.font,
          },
        });
    },
    set(target, key, value) {
      (target as Record<string, unknown>)[key as string] = value;
      return true;
    },
  });
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

const PALETTE: Palette = {
  ok: 'green',
  warn: 'orange',
  bad: 'red',
  idle: 'grey',
  info: 'blue',
  edge: 'silver',
  fg: 'black',
  fgMuted: 'dimgrey',
  surface: 'white',
  font: 'sans-serif',
};

function picture(over: Partial<TopologyPicture> = {}): TopologyPicture {
  return {
    width: 800,
    height: 600,
    dpr: 2,
    scale: 0.5,
    offsetX: 10,
    offsetY: 20,
    palette: PALETTE,
    edges: [
      { d: 'M0,0 C1,1 2,2 3,3', level: 'healthy', width: 3, dim: false },
      { d: 'M5,5 C6,6 7,7 8,8', level: 'idle', width: 1.5, dim: false },
    ],
    cells: [
      {
        node: { id: 'cell:a', kind: 'cell', name: 'a', layer: 1, x: 100, y: 200 },
        level: 'healthy',
        ready: 2,
        figures: '12 rps · p99 4 ms',
        selected: false,
      },
      {
        node: { id: 'cell:b', kind: 'cell', name: 'b', layer: 2, x: 300, y: 200 },
        level: 'failing',
        ready: 0,
        figures: 'idle',
        selected: false,
      },
    ],
    ...over,
  };
}

describe('the canvas topology', () => {
  it('maps health levels to the palette', () => {
    assert.equal(levelColor('healthy', PALETTE), 'green');
    assert.equal(levelColor('starting', PALETTE), 'blue');
    assert.equal(levelColor('degraded', PALETTE), 'orange');
    assert.equal(levelColor('failing', PALETTE), 'red');
    assert.equal(levelColor('down', PALETTE), 'red');
    assert.equal(levelColor('idle', PALETTE), 'grey');
  });

  it('clears the whole canvas, then draws in layout pixels scaled and offset for the device', () => {
    const { ctx, calls } = recorder();
    drawTopology(ctx, picture());
    assert.deepEqual(calls[1], { op: 'clearRect', args: [0, 0, 1600, 1200], state: calls[1]!.state });
    const transforms = calls.filter((c) => c.op === 'setTransform').map((c) => c.args);
    assert.deepEqual(transforms.at(-1), [1, 0, 0, 1, 20, 40]);
  });

  it('strokes every edge in its health colour (idle ones dashed in the edge colour), before the cells', () => {
    const { ctx, calls } = recorder();
    drawTopology(ctx, picture());
    const strokes = calls.filter((c) => c.op === 'stroke' && c.args.length === 1);
    assert.deepEqual(
      strokes.map((c) => [(c.args[0] as FakePath).d, c.state.strokeStyle]),
      [
        ['M0,0 C1,1 2,2 3,3', 'green'],
        ['M5,5 C6,6 7,7 8,8', 'silver'],
      ],
    );
    const dashes = calls.filter((c) => c.op === 'setLineDash').map((c) => c.args[0]);
    assert.deepEqual(dashes.slice(0, 2), [[], [4, 5]]);
    const firstArc = calls.findIndex((c) => c.op === 'arc');
    assert.ok(calls.indexOf(strokes.at(-1)!) < firstArc, 'edges go under the cells');
  });

  it('draws each cell: a disc outlined in its colour, its ready replicas, its name and figures', () => {
    const { ctx, calls } = recorder();
    drawTopology(ctx, picture());
    const texts = calls.filter((c) => c.op === 'fillText').map((c) => c.args[0]);
    assert.deepEqual(texts, ['2', 'a', '12 rps · p99 4 ms', '0', 'b', 'idle']);
    const arcs = calls.filter((c) => c.op === 'arc').map((c) => c.args.slice(0, 3));
    assert.deepEqual(arcs, [
      [100, 200 + CELL.discDy, CELL.radius],
      [300, 200 + CELL.discDy, CELL.radius],
    ]);
    const outlines = calls.filter((c) => c.op === 'stroke' && c.args.length === 0).map((c) => c.state.strokeStyle);
    assert.deepEqual(outlines, ['green', 'red']);
  });

  it('rings the selected cell and fades the edges drawn under a selection', () => {
    const { ctx, calls } = recorder();
    const pic = picture();
    pic.cells[1]!.selected = true;
    pic.edges = pic.edges.map((e) => ({ ...e, dim: true }));
    drawTopology(ctx, pic);
    const arcs = calls.filter((c) => c.op === 'arc').map((c) => c.args[2]);
    assert.deepEqual(arcs, [CELL.radius, CELL.radius + 6, CELL.radius], 'a wider disc behind the selected one');
    const strokes = calls.filter((c) => c.op === 'stroke' && c.args.length === 1);
    for (const s of strokes) assert.ok(Math.abs(s.state.globalAlpha - 0.3 * 0.85) < 1e-9);
  });
});
