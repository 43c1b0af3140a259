// Boot script, inlined into index.html by the build (vite.config.ts) and allowed by the engine's
// CSP through its hash: it runs while the HTML is parsed, before any script file has arrived, and
// opens the stream to the engine so the hello (the whole organism) is on its way before the entry
// script has even been fetched. The entry script (main.ts) adopts the socket.
import { openBootStream } from './lib/api/boot.ts';

openBootStream();
