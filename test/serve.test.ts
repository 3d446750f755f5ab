/** scripts/serve.mjs: the static server behind `npm run playground` and the browser test. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
interface Served {
  url: string;
  port: number;
  close(): Promise<void>;
}
type Serve = (o: { root: string; port?: number; isolated?: boolean; index?: string }) => Promise<Served>;
// a plain .mjs script (run by node directly); loaded through a computed specifier, typed here
const serveModule = path.join(ROOT, 'scripts', 'serve.mjs');
const { serve } = (await import(serveModule)) as { serve: Serve };

describe('scripts/serve.mjs', () => {
  let isolated: Served, open: Served;
  beforeAll(async () => {
    isolated = await serve({ root: ROOT, port: 0, index: '/examples/playground/' });
    open = await serve({ root: ROOT, port: 0, isolated: false });
  });
  afterAll(async () => {
    await isolated.close();
    await open.close();
  });

  it('serves files with their MIME type and the COOP/COEP headers', async () => {
    const cases: [string, string][] = [
      ['rust/fastnn-simd.wasm', 'application/wasm'],
      ['examples/playground/index.html', 'text/html; charset=utf-8'],
      ['examples/playground/main.js', 'text/javascript; charset=utf-8'],
      ['examples/playground/style.css', 'text/css; charset=utf-8'],
      ['package.json', 'application/json; charset=utf-8'],
      ['docs/playground.png', 'image/png'],
    ];
    for (const [file, type] of cases) {
      const res = await fetch(new URL(file, isolated.url));
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toBe(type);
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    }
    const wasm = new Uint8Array(await (await fetch(new URL('rust/fastnn-simd.wasm', isolated.url))).arrayBuffer());
    expect(WebAssembly.validate(wasm)).toBe(true);
  });

  it('turns the isolation headers off when asked', async () => {
    const res = await fetch(new URL('package.json', open.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(res.headers.get('cross-origin-embedder-policy')).toBeNull();
  });

  it('redirects / to the index page and a directory to its slash form', async () => {
    const root = await fetch(isolated.url, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/examples/playground/');
    const dir = await fetch(new URL('examples/playground', isolated.url), { redirect: 'manual' });
    expect(dir.status).toBe(301);
    expect(dir.headers.get('location')).toBe('/examples/playground/');
    const page = await fetch(new URL('examples/playground/', isolated.url));
    expect(await page.text()).toContain('<title>fastnn playground</title>');
  });

  it('is read-only and never leaves its root or serves dot-files', async () => {
    expect((await fetch(isolated.url, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(new URL('.git/HEAD', isolated.url))).status).toBe(404);
    expect((await fetch(new URL('no/such/file.js', isolated.url))).status).toBe(404);
    // fetch normalises '..' away; send the raw path over a socket-level request instead
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: isolated.port, path: '/../../../etc/passwd' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });

  it('says which port is in use', async () => {
    await expect(serve({ root: ROOT, port: isolated.port })).rejects.toThrow(
      `port ${isolated.port} on 127.0.0.1 is in use`,
    );
  });
});
