/**
 * The views of the heap the js kernels address: every kernel takes them as its first arguments, and
 * `createJsKernels` (index.ts) rebuilds them when the heap's buffer changes. A module of their own, so the
 * kernels and the module that binds them do not import each other.
 */

/** The float64 view of the heap. */
export type F64 = Float64Array<ArrayBufferLike>;
/** The float32 view of the heap (a float32 network's data blocks). */
export type F32 = Float32Array<ArrayBufferLike>;
/** The int32 view of the heap (plan words, sample orders). */
export type I32 = Int32Array<ArrayBufferLike>;
