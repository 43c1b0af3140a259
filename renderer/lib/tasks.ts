/**
 * Where work runs on the page's main thread: after the next paint, or in a task of its own, so
 * that no single task carries work that can wait (the UI bench's bar: no task over 50 ms).
 */

/**
 * Runs `fn` once the browser has painted the next frame: work that the first picture does not
 * need (loading history, say) starts after it instead of delaying it. A hidden page paints no
 * frames, so there it runs on the next task.
 */
export function afterNextPaint(fn: () => void): void {
  if (typeof document === 'undefined' || document.visibilityState !== 'visible') {
    setTimeout(fn, 0);
    return;
  }
  // A task posted from an animation-frame callback runs after that frame's paint.
  requestAnimationFrame(() => setTimeout(fn, 0));
}

let channel: MessageChannel | undefined;
const queue: Array<() => void> = [];

/**
 * Runs `fn` in a task of its own, soon (a message to ourselves: not clamped like a nested
 * setTimeout). Each call is a separate task, in the order of the calls.
 */
export function inOwnTask(fn: () => void): void {
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => queue.shift()?.();
  }
  queue.push(fn);
  channel.port2.postMessage(null);
}
