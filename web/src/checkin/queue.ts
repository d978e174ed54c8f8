/**
 * Scans waiting to be sent, on this device (`localStorage`), for when the connection is gone: only what the API
 * needs (the code or registration id, the event, the place) and when it was scanned; no name, no email address.
 * The same scan twice is kept once, and the API counts a repeat once anyway, so sending it again is harmless.
 */

export type QueuedScan = {
  eventId: string;
  code?: string;
  registrationId?: string;
  workshopId?: string;
  scannedAt: string;
};

const KEY = 'vol-is-vol.check-in-queue';

const sameScan = (a: QueuedScan, b: QueuedScan) =>
  a.eventId === b.eventId &&
  a.code === b.code &&
  a.registrationId === b.registrationId &&
  a.workshopId === b.workshopId;

export class ScanQueue {
  constructor(private readonly storage: Storage = localStorage) {}

  all(): QueuedScan[] {
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(KEY) ?? '[]');
      return Array.isArray(parsed) ? (parsed as QueuedScan[]) : [];
    } catch {
      return [];
    }
  }

  get size(): number {
    return this.all().length;
  }

  add(scan: QueuedScan): void {
    const scans = this.all();
    if (!scans.some((queued) => sameScan(queued, scan))) this.save([...scans, scan]);
  }

  remove(scan: QueuedScan): void {
    this.save(this.all().filter((queued) => !sameScan(queued, scan)));
  }

  private save(scans: QueuedScan[]): void {
    if (scans.length === 0) this.storage.removeItem(KEY);
    else this.storage.setItem(KEY, JSON.stringify(scans));
  }
}
