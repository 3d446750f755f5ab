// A small static file server on 127.0.0.1 (a free port) for the browser tests and bench:browser: correct MIME types
// (application/wasm, text/javascript), optionally cross-origin isolated (COOP same-origin + COEP require-corp).
// Records every 404 so the driver can fail a page that asked for a file that is not there.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Serves `root`; `isolated` adds the COOP/COEP headers. Resolves to { url, notFound, close }. */
export async function serve(root, { isolated }) {
  root = resolve(root);
  const notFound = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    if (path === '/favicon.ico') {
      res.writeHead(204, headers).end();
      return;
    }
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      res.writeHead(403, headers).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      notFound.push(path);
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, notFound, close: () => new Promise((ok) => {
    // the browser's network process may keep an idle keep-alive connection open after the tab closed: close() alone
    // would wait for it forever
    server.closeAllConnections();
    server.close(ok);
  }) };
}
