/**
 * The stream opened before the app's code has loaded — by the boot script inlined in index.html
 * (renderer/boot.ts), else by the entry script: the engine's hello (the whole organism) is
 * usually in by the time the app mounts, instead of being asked for only then.
 * {@link EngineStream} adopts the socket and replays what arrived meanwhile. The boot script is a
 * bundle of its own, so the socket is kept on `globalThis`, where both find it.
 */
import type { SocketLike } from './stream.ts';

interface Early {
  url: string;
  socket: SocketLike & { readyState: number };
  buffered: unknown[];
  /** Settles on the first message, or when the socket fails. */
  first: Promise<void>;
}

const KEY = '__petriEarlyStream';
const holder = globalThis as typeof globalThis & { [KEY]?: Early };

/** Opens `url` now and keeps its messages until the stream adopts it. */
export function openEarly(
  url: string,
  open: (url: string) => SocketLike & { readyState: number } = (u) =>
    new WebSocket(u) as unknown as SocketLike & { readyState: number },
): void {
  if (holder[KEY]?.url === url) return; // the boot script opened it already
  const socket = open(url);
  const buffered: unknown[] = [];
  let settle!: () => void;
  const first = new Promise<void>((resolve) => (settle = resolve));
  socket.onmessage = (ev) => {
    buffered.push(ev.data);
    settle();
  };
  socket.onclose = socket.onerror = () => settle();
  holder[KEY] = { url, socket, buffered, first };
}

/**
 * Waits (at most `ms`) for the early socket's first message, the engine's hello. The app then
 * mounts with the organism already known and lays the page out once, instead of laying out an
 * empty shell and then again with every cell. Resolves at once when there is no early socket.
 */
export function earlyHello(ms: number): Promise<void> {
  const early = holder[KEY];
  if (!early) return Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([early.first, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The early socket for `url` if it is still connecting or open (once: a reconnect makes a new
 * one), with the messages it received before adoption.
 */
export function adoptEarly(url: string): { socket: SocketLike; buffered: unknown[] } | undefined {
  const e = holder[KEY];
  holder[KEY] = undefined;
  if (!e || e.url !== url || e.socket.readyState > 1) {
    e?.socket.close();
    return undefined;
  }
  e.socket.onmessage = null;
  return { socket: e.socket, buffered: e.buffered };
}
