// Types of the `#platform` module (package.json "imports"): ./node.js in Node, ./browser.js elsewhere.

/** A started worker: Node's worker_threads.Worker (ref/unref keep or release the process). */
export interface PlatformWorker {
  terminate(): unknown;
  postMessage(message: unknown): void;
  ref(): void;
  unref(): void;
}

export interface Platform {
  /** The bytes of a file: URL. */
  readBytes(url: URL): Promise<Uint8Array<ArrayBuffer>>;
  /** Number of logical CPUs this process may use. */
  cpuCount(): number;
  /**
   * Starts the training worker next to `callerUrl` (the calling module's import.meta.url), hands it `init` as
   * its first message, and reports its messages, errors and exit.
   */
  startWorker(
    callerUrl: string,
    init: unknown,
    on: { message(m: unknown): void; error(message: string): void; exit(code: number): void },
  ): PlatformWorker;
}

export declare const readBytes: Platform['readBytes'];
export declare const cpuCount: Platform['cpuCount'];
export declare const startWorker: Platform['startWorker'];
