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
