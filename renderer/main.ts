// Entry point. The stream to the engine opens first, while the app's components are still
// loading: the engine's hello (the organism) is usually there by the time the app mounts.
import { mount } from 'svelte';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { ApiClient, openEarly, takeToken } from './lib/api/index.ts';

const { token } = takeToken(location.hash, window.sessionStorage);
if (token) openEarly(new ApiClient(location.origin, token).streamUrl());
const { default: App } = await import('./App.svelte');
mount(App, { target: document.getElementById('app')! });
