/** At most N messages per channel in any 60-second window; what does not fit waits for a digest. */
export const WINDOW_MS = 60_000;

export class Throttle {
  private readonly sends = new Map<string, number[]>();

  constructor(private readonly perMinute: number) {}

  private recent(channel: string, now: number): number[] {
    const list = (this.sends.get(channel) ?? []).filter((t) => now - t < WINDOW_MS);
    this.sends.set(channel, list);
    return list;
  }

  hasRoom(channel: string, now: number): boolean {
    return this.recent(channel, now).length < this.perMinute;
  }

  record(channel: string, now: number): void {
    this.recent(channel, now).push(now);
  }
}
