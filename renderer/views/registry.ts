/**
 * The views of the app, in navigation order. A capability that brings its own view adds one
 * entry here and nothing else: the navigation, the hash route (`#/<id>`), the header title and the
 * keyboard shortcut (Alt+<number>) follow from this list.
 *
 * Every view gets the shared {@link ViewContext} as props and talks to the engine only through it.
 */
import type { Component } from 'svelte';
import type { EngineState } from '../state/engine.svelte.ts';
import type { Notices } from '../state/notices.svelte.ts';
import type { Router } from '../state/router.svelte.ts';
import type { Theme } from '../state/theme.svelte.ts';
import OrganismView from './OrganismView.svelte';

/** What every view receives. */
export interface ViewContext {
  engine: EngineState;
  router: Router;
  notices: Notices;
  theme: Theme;
  /** The route parameter after `#/<id>/` (e.g. the selected cell), if any. */
  param: string | undefined;
}

/** One entry of the navigation. */
export interface ViewDef {
  id: string;
  title: string;
  /** One line under the title in the header. */
  description: string;
  /** SVG path data (24×24 viewBox) of the navigation icon. */
  icon: string;
  /**
   * The view's component, or a loader of its chunk. Only the landing view (Organism) is in the
   * first bundle: the others load on first visit — or earlier, when the page is idle — so the
   * first render parses and runs only what it shows.
   */
  component: Component<ViewContext> | { load: () => Promise<{ default: Component<ViewContext> }> };
}

/** The registered views, in navigation order. */
export const VIEWS: readonly ViewDef[] = [
  {
    id: 'organism',
    title: 'Organism',
    description: 'Cells, their replicas and the calls between them, live',
    icon: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Zm-3 5.5a2 2 0 1 1 0 4 2 2 0 0 1 0-4Zm6.5 2.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3ZM10 15.5a1.2 1.2 0 1 1 0 2.4 1.2 1.2 0 0 1 0-2.4Z',
    component: OrganismView,
  },
  {
    id: 'timeline',
    title: 'Timeline',
    description: 'Every event the engine records, as it happens',
    icon: 'M4 5h3v2H4V5Zm5 0h11v2H9V5ZM4 11h3v2H4v-2Zm5 0h11v2H9v-2Zm-5 6h3v2H4v-2Zm5 0h11v2H9v-2Z',
    component: { load: () => import('./TimelineView.svelte') },
  },
  {
    id: 'metrics',
    title: 'Metrics',
    description: 'Requests, latency, errors and replicas over the last five minutes',
    icon: 'M4 19h16v2H4v-2Zm1-3 4-6 4 3 5-8 1.7 1-6.1 9.8-4-3-3 4.4L5 16Z',
    component: { load: () => import('./MetricsView.svelte') },
  },
  {
    id: 'faults',
    title: 'Faults & Attacks',
    description: 'Inject faults, launch attacks, steer traffic — and see what is running',
    icon: 'M13 2 4 14h7l-1 8 9-12h-7l1-8Z',
    component: { load: () => import('./FaultsView.svelte') },
  },
  {
    id: 'immune',
    title: 'Immune',
    description: 'The defence chain: incidents, quarantines, refused requests and memory',
    icon: 'M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Zm0 2.2 6 2.3V11c0 4-2.6 7.6-6 8.9-3.4-1.3-6-4.9-6-8.9V6.5l6-2.3Z',
    component: { load: () => import('./ImmuneView.svelte') },
  },
  {
    id: 'signals',
    title: 'Signals',
    description: 'Live configuration and flags: change, see history, roll back',
    icon: 'M4 6h9v2H4V6Zm13 0h3v2h-3V6Zm-2-2h2v6h-2V4ZM4 16h3v2H4v-2Zm7 0h9v2h-9v-2Zm-2-2h2v6H9v-6Z',
    component: { load: () => import('./SignalsView.svelte') },
  },
  {
    id: 'recycling',
    title: 'Recycling',
    description: 'Scheduled jobs that prune, rotate and decommission, and what they freed',
    icon: 'M12 4a8 8 0 0 1 7.7 6h-2.1A6 6 0 0 0 7.8 7.8L10 10H4V4l2.4 2.4A8 8 0 0 1 12 4Zm-7.7 10h2.1a6 6 0 0 0 9.8 2.2L14 14h6v6l-2.4-2.4A8 8 0 0 1 4.3 14Z',
    component: { load: () => import('./RecyclingView.svelte') },
  },
  {
    id: 'scaling',
    title: 'Scaling',
    description: 'Scaling policies, replicas against load and forecast, and each decision',
    icon: 'M4 16h4v4H4v-4Zm6-4h4v8h-4v-8Zm6-5h4v13h-4V7ZM4 11l5-5 3 3 5-5 1.4 1.4L12 11.8l-3-3-3.6 3.6L4 11Z',
    component: { load: () => import('./ScalingView.svelte') },
  },
  {
    id: 'scenarios',
    title: 'Scenarios',
    description: 'Play a chaos experiment as a recorded run and watch its expectations',
    icon: 'M8 5v14l11-7L8 5Zm2 3.6L15.3 12 10 15.4V8.6Z',
    component: { load: () => import('./ScenarioView.svelte') },
  },
  {
    id: 'runs',
    title: 'Runs',
    description: 'Recorded runs: scrub through a past run’s events and metrics',
    icon: 'M12 4a8 8 0 1 1-7.4 5H7a6 6 0 1 0 1.8-2.6L11 8.5H4v-7l2.4 2.4A8 8 0 0 1 12 4Zm-1 4h2v4.6l3.2 1.9-1 1.7L11 13.7V8Z',
    component: { load: () => import('./RunsView.svelte') },
  },
];

/** Lazy views by id: the component once loaded, the load in flight before (shared by all callers). */
const loaded = new Map<string, Component<ViewContext> | Promise<Component<ViewContext>>>();

/**
 * The component of a view: at once when it is in the bundle or already loaded, else a promise
 * of it (what `{#await}` wants either way).
 */
export function viewComponent(v: ViewDef): Component<ViewContext> | Promise<Component<ViewContext>> {
  if (!isLazy(v.component)) return v.component;
  let c = loaded.get(v.id);
  if (!c) {
    c = v.component.load().then((m) => {
      loaded.set(v.id, m.default);
      return m.default;
    });
    c.catch(() => loaded.delete(v.id)); // a failed load is tried again on the next visit
    loaded.set(v.id, c);
  }
  return c;
}

/**
 * Fetches and compiles the lazy views' files one at a time, each when `idle` says the page has
 * time, without running them: navigation then finds them ready to run. Importing them here
 * instead ran each chunk at once (the charts' took ~48 ms of main thread, a long task right after
 * the first picture). The build lists the files in `<meta name="petri-lazy">`.
 */
export async function preloadViews(idle: () => Promise<void>): Promise<void> {
  const files = document.querySelector<HTMLMetaElement>('meta[name="petri-lazy"]')?.content.split(' ') ?? [];
  for (const href of files.filter(Boolean)) {
    await idle();
    const link = document.createElement('link');
    if (href.endsWith('.css')) Object.assign(link, { rel: 'preload', as: 'style' });
    else link.rel = 'modulepreload';
    link.crossOrigin = '';
    link.href = href;
    document.head.append(link);
  }
}

function isLazy(c: ViewDef['component']): c is { load: () => Promise<{ default: Component<ViewContext> }> } {
  return typeof c === 'object' && 'load' in c;
}

/** The view for an id, or the first one. */
export function findView(id: string): ViewDef {
  return VIEWS.find((v) => v.id === id) ?? VIEWS[0]!;
}
