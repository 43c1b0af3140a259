/**
 * The colour scheme follows the system (prefers-color-scheme). CSS handles it alone; canvas
 * charts read their colours from CSS variables and need to know when to redraw.
 */

/** Whether the system asks for dark colours, updated live. */
export class Theme {
  dark = $state(false);

  constructor() {
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    this.dark = query.matches;
    query.addEventListener('change', (e) => (this.dark = e.matches));
  }

  /** A CSS custom property's current value (e.g. `--fg`). */
  color(name: string): string {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }
}
