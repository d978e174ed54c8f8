import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SendQuota } from '../../ports.js';
import { sesV2 } from '../aws-sdk.js';

/** SES's rate in the sandbox, and what the sender assumes while it cannot read the account's own. */
export const FALLBACK_SEND_RATE = 1;

/**
 * The account's send rate from SES v2 `GetAccount` (`SendQuota.MaxSendRate`, emails per second). A failed
 * read (no permission, an outage) answers the sandbox's rate, the slowest any account has, so the sender never
 * runs faster than SES allows; the pacer reads again a few minutes later. The client is the mailer's
 * (`lazySesClient`): one SES client per container, and none at cold start.
 */
export class SesSendQuota implements SendQuota {
  constructor(private readonly client: () => Promise<Pick<SESv2Client, 'send'>>) {}

  async maxSendRate(): Promise<number> {
    try {
      const client = await this.client();
      const account = await client.send(new (sesV2().GetAccountCommand)({}));
      const rate = account.SendQuota?.MaxSendRate;
      return typeof rate === 'number' && rate > 0 ? rate : FALLBACK_SEND_RATE;
    } catch {
      return FALLBACK_SEND_RATE;
    }
  }
}
