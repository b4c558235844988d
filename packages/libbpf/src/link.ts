import { bpf } from './native.js';

/** An attachment. Destroying it detaches the program; destroying twice is harmless. */
export class BpfLink {
  private p: bigint | null;
  private readonly listeners: (() => void)[] = [];

  constructor(p: bigint) {
    this.p = p;
  }

  get fd(): number {
    if (this.p === null) throw new Error('link used after destroy()');
    return bpf.link_fd(this.p);
  }

  get destroyed(): boolean {
    return this.p === null;
  }

  /** @internal */
  onDestroy(fn: () => void): void {
    this.listeners.push(fn);
  }

  destroy(): void {
    if (this.p === null) return;
    bpf.link_destroy(this.p);
    this.p = null;
    for (const fn of this.listeners) fn();
  }

  [Symbol.dispose](): void {
    this.destroy();
  }
}
