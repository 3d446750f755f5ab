/** Seeded randomness for tests (STYLE.md §9: never Math.random): the library's own generators. */
export { mulberry32, normalFrom as normal } from '../../src/rng.js';
