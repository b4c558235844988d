/**
 * The runs active on the agent, whatever session started them: the agent-wide cap on concurrent
 * runs (limits.maxConcurrentRuns) counts them. A session adds a run when it starts and removes it
 * when it has ended; the registry knows runs only as entries, so it depends on nothing that uses it.
 */
export class RunRegistry {
  private readonly active = new Set<object>();

  get count(): number {
    return this.active.size;
  }

  add(run: object): void {
    this.active.add(run);
  }

  remove(run: object): void {
    this.active.delete(run);
  }
}
