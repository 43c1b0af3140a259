/**
 * Element size without a forced layout. Svelte's `bind:clientWidth` also reads the size once
 * while the component mounts, which makes the browser lay out the whole page in the middle of
 * the mount (100 ms with a hundred cells on screen). A ResizeObserver alone reports the first
 * size after the browser's own layout, before that frame is painted.
 */
import type { Attachment } from 'svelte/attachments';

type Listener = (width: number, height: number) => void;

const listeners = new WeakMap<Element, Listener>();
let observer: ResizeObserver | undefined;

/** Calls `onSize(width, height)` (the content box, as clientWidth/clientHeight without padding) on every change. */
export function observeSize(onSize: Listener): Attachment<HTMLElement> {
  return (element) => {
    observer ??= new ResizeObserver((entries) => {
      for (const e of entries) listeners.get(e.target)?.(e.contentRect.width, e.contentRect.height);
    });
    listeners.set(element, onSize);
    observer.observe(element);
    return () => {
      observer?.unobserve(element);
      listeners.delete(element);
    };
  };
}
