// Entry point. The stream to the engine is open already: the boot script inlined in index.html
// opens it while the HTML is parsed, before the UI framework and the app's components have loaded
// (the HTML announces those so they download meanwhile). The app mounts once the engine's hello
// (the organism) is in, or after a short wait: one layout of the whole page instead of an empty
// shell first. Until then the page shows index.html's own placeholder.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { earlyHello, openBootStream } from './lib/api/index.ts';

/** How long the first picture waits for the hello before showing the app's loading state. */
const HELLO_WAIT_MS = 800;

openBootStream(); // already done by the boot script inlined in index.html, unless it did not run
const [{ start }] = await Promise.all([import('./app.ts'), earlyHello(HELLO_WAIT_MS)]);
const target = document.getElementById('app')!;
target.replaceChildren();
start(target);
