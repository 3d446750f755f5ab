/**
 * A copy of everything a training call changes (parameters, optimizer state, the hp block with its step counters, and
 * the position of the network's shuffle generator) in one block of backend memory plus one number, taken at the start
 * of each span of epochs. A failure, an abort or a divergence copies it back, so the network is exactly as at the end
 * of its last completed epoch and the next call draws the same sample orders as if the failed call never happened;
 * reads during trainAsync and checkpoints taken then read from it, never from the parameters a step is writing.
 */
import type { NetMemory, StatePtrs } from './memory.js';
import { paramBytes } from './memory.js';
import type { Optimizer } from '../backend.js';
import type { Mulberry32 } from '../rng.js';

export class Snapshot {
  readonly ptr: number;
  /** the shuffle generator's state that goes with the saved state (before the span's orders were drawn) */
  rngState = 0;
  private readonly rng: Mulberry32;
  private readonly blocks: [number, number][];

  /** Bytes a snapshot needs for optimizer `kind` (counted before anything is allocated). */
  static bytes(mem: NetMemory, kind: Optimizer): number {
    return paramBytes(mem.shape.layers, mem.eb) + mem.optimizerStateBytes(kind) + 256;
  }

  /** Allocates the block (not zeroed: save() writes it whole before anything reads it). */
  constructor(
    private readonly mem: NetMemory,
    hp: number,
    rng: Mulberry32,
    alloc: (bytes: number) => number,
  ) {
    this.rng = rng;
    this.blocks = mem.stateBlocks(hp);
    let bytes = 0;
    for (const [, b] of this.blocks) bytes += slot(b);
    this.ptr = alloc(bytes);
  }

  /**
   * Saves the state with the shuffle generator's state that goes with it: by default where the generator is now
   * (call it before drawing any sample order); a caller that has drawn ahead passes the state the saved epoch left.
   */
  save(rngState = this.rng.state): void {
    this.copy(true);
    this.rngState = rngState;
  }

  restore(): void {
    this.copy(false);
    this.rng.state = this.rngState;
  }

  /** Where each saved block is inside the snapshot. */
  ptrs(): StatePtrs {
    const at = new Map<number, number>();
    let off = this.ptr;
    let hp = off;
    for (const [p, bytes] of this.blocks) {
      at.set(p, off);
      hp = off;
      off += slot(bytes);
    }
    const map = (a: readonly number[]): number[] => a.map((p) => (p === 0 ? 0 : at.get(p)!));
    const { mem } = this,
      opt = mem.opt!;
    return {
      w: map(mem.w),
      b: map(mem.b),
      opt: { kind: opt.kind, sw: map(opt.sw), sw2: map(opt.sw2), sb: map(opt.sb), sb2: map(opt.sb2) },
      hp, // the last block
      rngState: this.rngState,
    };
  }

  private copy(toSnapshot: boolean): void {
    // bytes, not elements: a float32 block may hold an odd number of elements
    const B = new Uint8Array(this.mem.host.memory.buffer);
    let off = this.ptr;
    for (const [p, bytes] of this.blocks) {
      if (toSnapshot) B.copyWithin(off, p, p + bytes);
      else B.copyWithin(p, off, off + bytes);
      off += slot(bytes);
    }
  }
}

/** A block's place in the snapshot, rounded up to 16 bytes: float32 blocks of odd length keep the next (f64 hp) aligned. */
function slot(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}
