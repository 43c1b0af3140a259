// Runs the TypeScript worker from source: registers tsx's loader inside this worker thread (loader
// hooks of the parent thread do not reach workers on Node 20), then loads worker.ts. The bundle
// ships dist/traffic-worker.mjs instead.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
