/**
 * The desktop shell: starts the engine as a child process (`node bin/petri.mjs serve`), waits for
 * its ready line, and opens one locked-down window on the engine's own UI — the same page a
 * browser gets, talking to the engine with the same API client. No preload: the page needs
 * nothing from Electron. Quitting stops the engine (SIGTERM, then SIGKILL).
 */
import { app, BrowserWindow, dialog, nativeTheme, session, shell } from 'electron';
import { dirname, join } from 'node:path';
import { EngineProcess, engineCommand, type ReadyInfo } from './engine-process.ts';
import { navigationDecision, windowOptions, withCsp } from './policy.ts';

/** The project root: set by `petri start`; otherwise two levels above electron/dist/main.cjs. */
const ROOT = process.env.PETRI_ROOT ?? join(dirname(__filename), '..', '..');

let engine: EngineProcess | undefined;
let window: BrowserWindow | undefined;
let quitting = false;

/** Applies the navigation policy to every web contents the app creates. */
function lockDown(origin: () => string | undefined): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      const appOrigin = origin();
      if (appOrigin && navigationDecision(url, appOrigin) === 'external') void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      const appOrigin = origin();
      const decision = appOrigin ? navigationDecision(url, appOrigin) : 'deny';
      if (decision === 'allow') return;
      event.preventDefault();
      if (decision === 'external') void shell.openExternal(url);
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  const s = session.defaultSession;
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  s.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders ?? {}) }));
}

async function startEngine(): Promise<ReadyInfo> {
  engine = await EngineProcess.start(engineCommand(ROOT, process.argv.slice(1), process.env), {
    onExit: (code, signal) => void engineExited(code, signal),
  });
  return engine.ready;
}

function openWindow(ready: ReadyInfo): void {
  if (window && !window.isDestroyed()) {
    void window.loadURL(ready.ui);
    return;
  }
  window = new BrowserWindow(windowOptions(nativeTheme.shouldUseDarkColors));
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => (window = undefined));
  void window.loadURL(ready.ui);
}

/** The engine died under a live window: say so and offer a restart (with a new token). */
async function engineExited(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
  if (quitting || engine?.stopping) return;
  const why = signal ? `signal ${signal}` : `exit code ${code}`;
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: 'Petri engine stopped',
    message: `The Petri engine stopped unexpectedly (${why}).`,
    detail: engine?.stderr || 'It printed nothing on stderr.',
    buttons: ['Restart engine', 'Quit'],
    defaultId: 0,
    cancelId: 1,
  });
  if (response !== 0) return void app.quit();
  try {
    openWindow(await startEngine());
  } catch (err) {
    fatal(err);
  }
}

function fatal(err: unknown): void {
  dialog.showErrorBox('Petri could not start its engine', err instanceof Error ? err.message : String(err));
  quitting = true;
  app.exit(1);
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) return void app.quit();
  app.on('second-instance', () => window?.focus());
  await app.whenReady();
  lockDown(() => engine?.ready.origin);
  try {
    openWindow(await startEngine());
  } catch (err) {
    fatal(err);
  }
}

app.on('window-all-closed', () => app.quit());
app.on('before-quit', (event) => {
  if (quitting || !engine) return;
  // Hold the quit until the engine has persisted its events and exited.
  event.preventDefault();
  quitting = true;
  void engine.stop().finally(() => app.quit());
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

void main();
