/**
 * A turn of the event loop for trainAsync between its slices: the caller's other tasks (input, rendering, timers, an
 * abort) run before training goes on.
 *
 * Browsers clamp a setTimeout nested more than 5 deep to at least 4 ms, and trainAsync's yields nest (each resumes
 * in the previous one's timer task, and so does the caller's next call): a slice of 8 ms then waits 4 ms, and a
 * short call costs 0 or 4 ms per yield depending on how deep the chain was when it started. A MessageChannel message
 * is a task too, but never clamped. Node does not clamp (setTimeout(0) is 1 ms) and an open MessagePort keeps its
 * process alive, so Node keeps setTimeout.
 */

type Turn = () => Promise<void>;

function browserTurn(): Turn | null {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  const MC = (globalThis as { MessageChannel?: typeof MessageChannel }).MessageChannel;
  if (isNode || typeof MC !== 'function') return null;
  const queue: (() => void)[] = [];
  let channel: MessageChannel | null = null;
  return () =>
    new Promise<void>((resolve) => {
      if (channel === null) {
        channel = new MC();
        channel.port1.onmessage = () => queue.shift()?.();
      }
      queue.push(resolve);
      channel.port2.postMessage(0);
    });
}

const turn: Turn = browserTurn() ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));

/** Resolves in a later task of the event loop (never within the caller's current task). */
export function yieldToEventLoop(): Promise<void> {
  return turn();
}
