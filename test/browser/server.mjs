// The browser tests' and bench:browser's server: scripts/serve.mjs (the playground's static server: MIME types incl.
// application/wasm, optional COOP/COEP, read-only, 127.0.0.1) on a free port, recording every 404 so the driver can
// fail a page that asked for a file that is not there.
import { serve as serveStatic } from '../../scripts/serve.mjs';

/** Serves `root`; `isolated` adds the COOP/COEP headers. Resolves to { url (no trailing slash), notFound, close }. */
export async function serve(root, { isolated }) {
  const notFound = [];
  const server = await serveStatic({
    root,
    port: 0,
    isolated,
    onNotFound: (path) => notFound.push(path),
  });
  return { url: server.url.replace(/\/$/, ''), notFound, close: server.close };
}
