import type { AgentEndpoint } from './endpoint';
import type { NodeRegistry } from './registry';

/**
 * Which node a learner's session goes to, for the web app's relay: the least loaded node that is
 * up when the learner first comes, then the same node for as long as it stays up (a reconnecting
 * tab finds its runs where it left them). `make` builds the relay's own handle for a node once
 * (its admission line, say) and it is reused for every learner placed there.
 */
export class Placement<T> {
  private readonly handles = new Map<string, T>();
  private readonly learners = new Map<string, string>();

  constructor(
    private readonly registry: NodeRegistry,
    private readonly make: (ep: AgentEndpoint) => T,
  ) {}

  /**
   * The learner's node, among `allowed` when given (a room scoped to some nodes: a learner placed
   * elsewhere before moves); undefined when no such node is up (the caller says so to the learner).
   */
  pick(learnerId: string, allowed?: readonly string[] | null): T | undefined {
    const among = allowed ? (name: string) => allowed.includes(name) : () => true;
    const up = this.registry.up().filter((e) => among(e.name));
    const placed = this.learners.get(learnerId);
    const ep = up.find((e) => e.name === placed) ?? this.registry.leastLoaded(among);
    if (!ep) return undefined;
    this.learners.set(learnerId, ep.name);
    return this.handle(ep);
  }

  /** Handles of every node that is up. */
  all(): T[] {
    return this.registry.up().map((ep) => this.handle(ep));
  }

  /** A learner who left: their place is free to change next time. */
  forget(learnerId: string): void {
    this.learners.delete(learnerId);
  }

  private handle(ep: AgentEndpoint): T {
    // Keyed by URL and token: a node whose token changed (Secret rotated) gets a fresh handle.
    const key = `${ep.url} ${ep.token}`;
    let h = this.handles.get(key);
    if (h === undefined) this.handles.set(key, (h = this.make(ep)));
    return h;
  }
}
