import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/** Flushes a file's written data to the disk (fdatasync); the default runs on libuv's thread pool. */
export type FileSync = (fd: number) => Promise<void>;

const fdatasyncOffLoop: FileSync = (fd) =>
  new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

/**
 * What of a SQLite database in WAL mode is on the disk, when its connection commits with
 * `synchronous=NORMAL` (no fsync of its own): a commit is durable once an fdatasync of the WAL file
 * that began after the commit has returned. Linux flushes a file's dirty pages whichever descriptor
 * asks, so this descriptor of our own flushes SQLite's writes; a checkpoint that moves frames into
 * the database file fsyncs both files itself, so frames moved before our flush are durable too.
 *
 * The flush runs off the event loop, and one flush covers every commit made before it began:
 * commits that arrive while a flush is under way share the next one (group commit), and the event
 * loop serves requests meanwhile instead of waiting on the disk.
 */
export class WalDurability {
  private readonly fd: number;
  /** Highest position known committed to the file (by this process or read back from it). */
  private committedThrough: number;
  /** Highest position a completed flush covered. */
  private durableThrough: number;
  private flushing: Promise<void> | undefined;

  constructor(
    walFile: string,
    /** Everything in the file when it is opened: made durable at once, before anyone reads it. */
    headAtOpen: number,
    private readonly sync: FileSync = fdatasyncOffLoop,
  ) {
    this.fd = openSync(walFile, 'r');
    fdatasyncSync(this.fd);
    this.committedThrough = headAtOpen;
    this.durableThrough = headAtOpen;
  }

  isDurable(position: number): boolean {
    return position <= this.durableThrough;
  }

  /**
   * Resolves once `position` is on the disk. Its caller has committed it or read it from the file,
   * so any flush that begins from now on covers it.
   */
  async through(position: number): Promise<void> {
    if (position > this.committedThrough) this.committedThrough = position;
    while (this.durableThrough < position) {
      // A flush under way may have begun before `position` was committed: wait, then flush again.
      this.flushing ??= this.flush();
      await this.flushing;
    }
  }

  /** Every commit so far made durable, `position` (just committed) included. */
  settle(position = 0): Promise<void> {
    return this.through(Math.max(position, this.committedThrough));
  }

  close(): void {
    closeSync(this.fd);
  }

  private async flush(): Promise<void> {
    const covers = this.committedThrough;
    try {
      await this.sync(this.fd);
      if (covers > this.durableThrough) this.durableThrough = covers;
    } finally {
      this.flushing = undefined;
    }
  }
}
