/**
 * loadBackend's options are validated like Network.create's: not an object, unknown names and unknown variants are
 * OptionError naming what was expected and received; 'auto' with a variant loads the fastest backend with that build.
 * Also: Input accepts typed-array rows (the type is checked by `npm run typecheck`, the values here).
 */
import { describe, expect, it } from 'vitest';
import { BackendError, NnError, OptionError } from '../src/errors.js';
import { loadBackend, type LoadOptions } from '../src/backends/index.js';
import type { Input } from '../src/matrix.js';
import { Network } from '../src/network.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    const b = await p;
    (b as { dispose?: () => void }).dispose?.();
  } catch (e) {
    expect(e).toBeInstanceOf(NnError);
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('loadBackend options', () => {
  for (const name of ['js', 'assemblyscript', 'rust', 'auto'] as const) {
    it(`${name}: an unknown option is an OptionError naming it`, async () => {
      const e = await rejection(loadBackend(name, { varient: 'scalar' } as unknown as LoadOptions));
      expect(e).toBeInstanceOf(OptionError);
      expect(e.message).toContain(`loadBackend('${name}')`);
      expect(e.message).toContain("unknown option 'varient'");
      expect(e.message).toContain('expected variant');
    });

    it(`${name}: options that are not an object are an OptionError`, async () => {
      for (const bad of [null, 42, 'scalar', ['scalar']]) {
        const e = await rejection(loadBackend(name, bad as unknown as LoadOptions));
        expect(e).toBeInstanceOf(OptionError);
        expect(e.message).toMatch(/options must be an object, received (null|42|'scalar'|an array of length 1)/);
      }
    });

    it(`${name}: a variant that no backend has is an OptionError listing the variants`, async () => {
      const e = await rejection(loadBackend(name, { variant: 'simdd' } as unknown as LoadOptions));
      expect(e).toBeInstanceOf(OptionError);
      expect(e.message).toContain("unknown variant 'simdd' (expected js|scalar|simd|relaxed-simd|debug)");
    });
  }

  it('undefined options and an undefined variant mean the default build', async () => {
    const a = await loadBackend('assemblyscript', undefined);
    const b = await loadBackend('assemblyscript', { variant: undefined } as unknown as LoadOptions);
    expect(b.variant).toBe(a.variant);
    a.dispose();
    b.dispose();
  });

  it("a variant the named backend lacks is a BackendError (rust has no relaxed-simd, js only 'js')", async () => {
    const e = await rejection(loadBackend('rust', { variant: 'relaxed-simd' }));
    expect(e).toBeInstanceOf(BackendError);
    expect(e.message).toContain("unknown variant 'relaxed-simd' (expected simd|scalar)");
    const j = await rejection(loadBackend('js', { variant: 'simd' }));
    expect(j).toBeInstanceOf(BackendError);
  });

  it("'auto' with a variant loads the fastest backend that has that build", async () => {
    const cases: [LoadOptions['variant'], string, string][] = [
      ['scalar', 'assemblyscript', 'scalar'],
      ['simd', 'assemblyscript', 'simd'],
      ['relaxed-simd', 'assemblyscript', 'relaxed-simd'],
      ['debug', 'assemblyscript', 'debug'],
      ['js', 'js', 'js'],
    ];
    for (const [variant, name, got] of cases) {
      const b = await loadBackend('auto', { variant: variant! });
      expect([variant, b.name, b.variant]).toEqual([variant, name, got]);
      b.dispose();
    }
  });
});

describe('Input accepts typed-array rows', () => {
  it('predict and train take Float64Array / Float32Array rows and give the same numbers as number[] rows', async () => {
    const rows = [
      [1, 2],
      [-0.5, 3],
      [0.25, -1],
    ];
    const typed: Input = rows.map((r) => Float64Array.from(r));
    const mixed: Input = [Float32Array.from(rows[0]!), rows[1]!, new Float64Array(rows[2]!)];
    const y: Input = [new Float64Array([1]), new Float64Array([0]), new Float64Array([1])];
    const a = await Network.create({ layers: [2, 3, 1], seed: 5 });
    const b = await Network.create({ layers: [2, 3, 1], seed: 5 });
    expect(Array.from(a.predict(typed).data)).toEqual(Array.from(a.predict(rows).data));
    expect(Array.from(a.predict(mixed).data)).toEqual(Array.from(a.predict(rows).data));
    const ra = a.train(typed, y, { epochs: 3, learningRate: 0.1, shuffle: false });
    const rb = b.train(rows, [[1], [0], [1]], { epochs: 3, learningRate: 0.1, shuffle: false });
    expect(ra.losses).toEqual(rb.losses);
    a.dispose();
    b.dispose();
  });
});
