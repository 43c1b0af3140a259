// Entry point: styles, then the app. Kept tiny so the first render is not waiting on anything.
import { mount } from 'svelte';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });
