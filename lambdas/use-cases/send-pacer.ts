import type { SendQuota } from '../ports.js';

export type SendPacerOptions = {
  quota: SendQuota;
  /**
   * The part of the account's rate this sender may use: senders that run at the same time (the stream's
   * batches and the retry) share the account's rate.
   */
  share: number;
  /** How long a rate read from the account holds before it is read again. */
  refreshMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

/** After SES throttled: half the pace for this long. */
const SLOW_DOWN_MS = 60_000;
/** The waits after a throttled send: 250 ms, then 500 ms, then 1 s. */
const BACK_OFF_BASE_MS = 250;
export const THROTTLED_SEND_RETRIES = 3;

/**
 * Paces sending to the account's send rate (SES `MaxSendRate`, emails per second): every send takes the next
 * free slot, `1 / rate` seconds after the one before. When SES throttles anyway, the pace halves for a minute
 * and every sender of this container waits before the next try.
 */
export class SendPacer {
  private nextSlot = 0;
  private rate: { perSecond: number; readAt: number } | undefined;
  private slowUntil = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SendPacerOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Waits for this sender's next slot. */
  async take(): Promise<void> {
    const perSecond = await this.currentRate();
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / perSecond;
    if (slot > now) await this.sleep(slot - now);
  }

  /** SES answered `Throttling`: slow down, and wait longer with each try of the same email. */
  async backOff(attempt: number): Promise<void> {
    const now = this.now();
    this.slowUntil = now + SLOW_DOWN_MS;
    this.nextSlot = Math.max(this.nextSlot, now + BACK_OFF_BASE_MS * 2 ** attempt);
    await this.take();
  }

  private async currentRate(): Promise<number> {
    const now = this.now();
    if (!this.rate || now - this.rate.readAt > (this.options.refreshMs ?? 5 * 60_000)) {
      this.rate = { perSecond: await this.options.quota.maxSendRate(), readAt: now };
    }
    const shared = this.rate.perSecond * this.options.share;
    return Math.max(0.1, now < this.slowUntil ? shared / 2 : shared);
  }
}
