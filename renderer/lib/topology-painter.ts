/**
 * Draws the topology canvas in a worker (an OffscreenCanvas), or on the page where the browser
 * cannot: the canvas's first draw of a hundred cells costs ~45 ms and each redraw a few more,
 * which on the main thread delayed the first picture and competed with input and layout.
 */
import { paintPicture, type Painted, type TopologyPicture } from './topology-canvas.ts';

/** What the page sends the worker. */
export type PainterMessage = { kind: 'canvas'; canvas: OffscreenCanvas } | { kind: 'picture'; picture: TopologyPicture };

export class TopologyPainter {
  readonly #canvas: HTMLCanvasElement;
  readonly #onPainted: (p: Painted) => void;
  #worker: Worker | undefined;

  constructor(canvas: HTMLCanvasElement, onPainted: (p: Painted) => void) {
    this.#canvas = canvas;
    this.#onPainted = onPainted;
    if (typeof canvas.transferControlToOffscreen !== 'function' || typeof Worker !== 'function') return;
    try {
      const worker = new Worker(new URL('./topology-worker.ts', import.meta.url), { type: 'module', name: 'topology' });
      const offscreen = canvas.transferControlToOffscreen();
      worker.postMessage({ kind: 'canvas', canvas: offscreen } satisfies PainterMessage, [offscreen]);
      worker.addEventListener('message', (e: MessageEvent<Painted>) => this.#onPainted(e.data));
      // The canvas is the worker's now: if its script cannot run, say so (nothing else can draw it).
      worker.addEventListener('error', (e) => console.error(`topology worker: ${e.message || 'did not load'}`));
      this.#worker = worker;
    } catch {
      // No worker (a CSP that refuses it, an old browser): the page draws.
      this.#worker = undefined;
    }
  }

  paint(picture: TopologyPicture): void {
    if (this.#worker) {
      this.#worker.postMessage({ kind: 'picture', picture } satisfies PainterMessage);
      return;
    }
    const ctx = this.#canvas.getContext('2d');
    if (ctx) this.#onPainted(paintPicture(this.#canvas, ctx, picture));
  }

  dispose(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}
