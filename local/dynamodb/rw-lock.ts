/**
 * A small FIFO read-write lock for async code.
 *
 * Any number of `shared` holders may run together; an `exclusive` holder runs alone. Waiters are served
 * strictly in arrival order (a queued writer is not overtaken by later readers), so neither side starves.
 */
export class ReadWriteLock {
  #readers = 0;
  #writer = false;
  readonly #queue: { exclusive: boolean; grant: () => void }[] = [];

  /** Runs `fn` while holding the lock in shared mode. */
  shared<T>(fn: () => Promise<T>): Promise<T> {
    return this.#run(false, fn);
  }

  /** Runs `fn` while holding the lock in exclusive mode. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#run(true, fn);
  }

  /** Waits for the lock and returns the function that releases it (call it exactly once). */
  acquire(exclusive: boolean): Promise<() => void> {
    return new Promise((resolve) => {
      this.#queue.push({ exclusive, grant: () => resolve(this.#releaser(exclusive)) });
      this.#drain();
    });
  }

  async #run<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(exclusive);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #releaser(exclusive: boolean): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (exclusive) this.#writer = false;
      else this.#readers--;
      this.#drain();
    };
  }

  #drain(): void {
    for (let head = this.#queue[0]; head !== undefined; head = this.#queue[0]) {
      if (this.#writer) return;
      if (head.exclusive) {
        if (this.#readers > 0) return;
        this.#writer = true;
      } else {
        this.#readers++;
      }
      this.#queue.shift();
      head.grant();
    }
  }
}
