// The app proper, loaded by the entry script once it has opened the engine stream.
import { mount } from 'svelte';
import App from './App.svelte';

/** Mounts the app into `target`. */
export function start(target: HTMLElement): void {
  mount(App, { target });
}
