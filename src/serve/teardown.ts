/** What was opened, closed in reverse order; a failing step is logged and the others still run. */
export class Teardown {
  private readonly steps: (() => Promise<void> | void)[] = [];
  private done: Promise<void> | undefined;

  constructor(private readonly log: (msg: string) => void) {}

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  /** Runs once; later calls get the same promise. */
  run(): Promise<void> {
    return (this.done ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step();
        } catch (err) {
          this.log(`while stopping: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })());
  }
}
