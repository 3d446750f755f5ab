#!/usr/bin/env node
/**
 * A small read-only static file server for the playground and the browser tests (node:http, no dependencies).
 * It serves every file under `root` (the package root by default, so dist/, build/ and rust/ are reachable
 * wherever the loaders look for their .wasm and worker files), with correct MIME types (application/wasm
 * included) and, unless turned off, the two headers that make a page cross-origin isolated so that worker
 * threads can share WebAssembly memory:
 *
 *   Cross-Origin-Opener-Policy: same-origin
 *   Cross-Origin-Embedder-Policy: require-corp
 *
 *   node scripts/serve.mjs [--root DIR] [--port N] [--path /examples/playground/] [--no-isolation]
 *
 * The port comes from --port, else PORT, else 5173 (0 = any free port). Only GET and HEAD; only 127.0.0.1.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.wat': 'text/plain; charset=utf-8',
};

/**
 * Starts the server.
 * @param {{ root: string, port?: number, isolated?: boolean, host?: string, index?: string, onNotFound?: (path: string) => void }} options
 *   root: directory served (read-only); port: 0 picks a free one; isolated: COOP/COEP headers (default true);
 *   index: the path `/` redirects to (default: none, `/` lists nothing and serves root/index.html if present);
 *   onNotFound: called with the path of every request answered 404 (the browser tests fail a page that asked for one).
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>} url = http://127.0.0.1:PORT/
 */
export async function serve({ root, port = 5173, isolated = true, host = '127.0.0.1', index, onNotFound } = {}) {
  if (typeof root !== 'string' || root === '')
    throw new TypeError(`serve: root must be a directory path, received ${String(root)}`);
  const base = path.resolve(root);
  const info = await stat(base).catch(() => null);
  if (!info?.isDirectory()) throw new Error(`serve: root ${base} is not a directory`);

  const server = createServer((req, res) => {
    const common = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (isolated) {
      common['Cross-Origin-Opener-Policy'] = 'same-origin';
      common['Cross-Origin-Embedder-Policy'] = 'require-corp';
      common['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    const fail = (status, text) => {
      if (status === 404 && onNotFound)
        onNotFound(decodeURIComponentSafe(new URL(req.url ?? '/', 'http://localhost').pathname));
      res.writeHead(status, { ...common, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : `${status} ${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return fail(405, 'method not allowed (this server is read-only)');
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return fail(400, 'bad request');
    }
    if (pathname === '/' && index) {
      res.writeHead(302, { ...common, Location: index });
      return res.end();
    }
    const file = path.join(base, pathname);
    // no escaping the root, no dot-files or dot-directories (.git, .env)
    if (
      (file !== base && !file.startsWith(base + path.sep)) ||
      pathname.split('/').some((p) => p.startsWith('.') && p !== '')
    ) {
      return fail(404, 'not found');
    }
    stat(file).then(
      (st) => {
        if (st.isDirectory()) {
          if (!pathname.endsWith('/')) {
            res.writeHead(301, { ...common, Location: `${pathname}/` });
            return res.end();
          }
          return sendFile(path.join(file, 'index.html'));
        }
        return sendFile(file, st);
      },
      () => {
        // a page without an icon: no 404 (a browser would log it as a console error)
        if (pathname === '/favicon.ico') return res.writeHead(204, common).end();
        return fail(404, 'not found');
      },
    );

    async function sendFile(f, st) {
      const s = st ?? (await stat(f).catch(() => null));
      if (!s?.isFile()) return fail(404, 'not found');
      const type = MIME_TYPES[path.extname(f).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, { ...common, 'Content-Type': type, 'Content-Length': s.size });
      if (req.method === 'HEAD') return res.end();
      createReadStream(f)
        .on('error', () => res.destroy())
        .pipe(res);
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', (e) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(`serve: port ${port} on ${host} is in use (set PORT to another port, or 0 for any free one)`, {
              cause: e,
            })
          : e,
      );
    });
    server.listen(port, host, () => resolve(undefined));
  });
  const actual = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  return {
    url: `http://${host}:${actual}/`,
    port: actual,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve(undefined));
      }),
  };
}

function decodeURIComponentSafe(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// CLI
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', default: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..') },
      port: { type: 'string' },
      path: { type: 'string', default: '/' },
      'no-isolation': { type: 'boolean', default: false },
    },
  });
  const portText = values.port ?? process.env.PORT ?? '5173';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: port must be an integer in 0..65535, received '${portText}'`);
    process.exit(2);
  }
  const page = values.path.startsWith('/') ? values.path : `/${values.path}`;
  try {
    const s = await serve({
      root: values.root,
      port,
      isolated: !values['no-isolation'],
      index: page === '/' ? undefined : page,
    });
    console.log(
      `serving ${values.root} (read-only${values['no-isolation'] ? ', NOT cross-origin isolated' : ', cross-origin isolated'})`,
    );
    console.log(new URL(page, s.url).href);
    const stop = () => void s.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
