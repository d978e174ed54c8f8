import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { SendQuota } from '../../ports.js';

/** SES's rate in the sandbox, and what the sender assumes while it cannot read the account's own. */
export const FALLBACK_SEND_RATE = 1;

/**
 * The account's send rate from SES v2 `GetAccount` (`SendQuota.MaxSendRate`, emails per second). A failed
 * read (no permission, an outage) answers the sandbox's rate, the slowest any account has, so the sender never
 * runs faster than SES allows; the pacer reads again a few minutes later.
 */
export class SesSendQuota implements SendQuota {
  constructor(private readonly client: Pick<SESv2Client, 'send'>) {}

  async maxSendRate(): Promise<number> {
    try {
      const account = await this.client.send(new GetAccountCommand({}));
      const rate = account.SendQuota?.MaxSendRate;
      return typeof rate === 'number' && rate > 0 ? rate : FALLBACK_SEND_RATE;
    } catch {
      return FALLBACK_SEND_RATE;
    }
  }
}

/** A small SES v2 client for the account read only; the local stack points it at the emulator. */
export async function createSendQuota(options: {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}): Promise<SesSendQuota> {
  const { SESv2Client } = await import('@aws-sdk/client-sesv2');
  return new SesSendQuota(
    new SESv2Client({
      region: options.region,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
      ...(options.endpoint ? { endpoint: options.endpoint, credentials: options.credentials } : {}),
    }),
  );
}
