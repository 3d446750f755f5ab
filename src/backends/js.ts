/** The `js` backend: the kernels of src/kernels/js/ over a linear memory, through the shared binder. */
import { HeapBackend, createMemory } from './heap.js';
import { createJsKernels } from '../kernels/js/index.js';

export function createJsBackend(): HeapBackend {
  const memory = createMemory();
  return new HeapBackend('js', 'js', memory, createJsKernels(memory));
}
