// Entry point. The stream to the engine opens first, before the UI framework and the app's
// components have loaded (the HTML announces those so they download meanwhile). The app mounts
// once the engine's hello (the organism) is in, or after a short wait: one layout of the whole
// page instead of an empty shell first. Until then the page shows index.html's own placeholder.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { ApiClient, earlyHello, openEarly, takeToken } from './lib/api/index.ts';

/** How long the first picture waits for the hello before showing the app's loading state. */
const HELLO_WAIT_MS = 800;

const { token } = takeToken(location.hash, window.sessionStorage);
if (token) openEarly(new ApiClient(location.origin, token).streamUrl());
const [{ start }] = await Promise.all([import('./app.ts'), earlyHello(HELLO_WAIT_MS)]);
const target = document.getElementById('app')!;
target.replaceChildren();
start(target);
