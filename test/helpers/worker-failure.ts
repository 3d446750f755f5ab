/**
 * What a worker failure armed by armWorkerCrashForTest must produce: a TrainingError found by the failure's own
 * signal (the worker's exit event, or the trap it reports), so the call fails in the command the worker failed in.
 * The watchdog, which only fails a command after STALL_MS without progress, must not be what found it. Checked by
 * the message rather than by a clock, so a loaded machine cannot make it fail.
 */
import { expect } from 'vitest';
import { TrainingError } from '../../src/index.js';

export function expectSignalledFailure(err: unknown, worker: number, how: 'exit' | 'trap'): void {
  expect(err).toBeInstanceOf(TrainingError);
  const message = (err as TrainingError).message;
  expect(message).not.toMatch(/made progress/);
  expect(message).toMatch(
    how === 'exit'
      ? new RegExp(`worker ${worker} exited|died during the command`)
      : new RegExp(`worker ${worker} trapped|worker ${worker}: .*trap`),
  );
}
