/**
 * The topology canvas's own thread. The page hands it the canvas once (an OffscreenCanvas) and
 * then a {@link TopologyPicture} whenever the figures change; it draws only the latest picture and
 * answers with what it drew. A hundred cells' first draw costs ~45 ms of canvas set-up and text,
 * every redraw a few more: none of it on the page's main thread, which stays free for input.
 */
import { paintPicture, type TopologyPicture } from './topology-canvas.ts';
import type { PainterMessage } from './topology-painter.ts';

let ctx: OffscreenCanvasRenderingContext2D | null = null;
let latest: TopologyPicture | undefined;
let scheduled = false;

function draw(): void {
  scheduled = false;
  const pic = latest;
  latest = undefined;
  if (!ctx || !pic) return;
  postMessage(paintPicture(ctx.canvas, ctx, pic));
}

addEventListener('message', (e: MessageEvent<PainterMessage>) => {
  if (e.data.kind === 'canvas') ctx = e.data.canvas.getContext('2d');
  else latest = e.data.picture;
  // Pictures that queued up while one was drawn are skipped: only the newest is drawn.
  if (!scheduled) {
    scheduled = true;
    setTimeout(draw, 0);
  }
});
