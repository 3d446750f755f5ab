/** The `js` backend: the kernels of js-kernels.ts over a linear memory, through the shared binder. */
import { HeapBackend, createMemory } from './heap.js';
import { createJsKernels } from './js-kernels.js';

export function createJsBackend(): HeapBackend {
  const memory = createMemory();
  return new HeapBackend('js', 'js', memory, createJsKernels(memory));
}
