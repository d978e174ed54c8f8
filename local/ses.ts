import { createServer } from 'node:net';

/**
 * The local SES emulator (aws-ses-v2-local): the SES v2 API the senders call (`SendEmail`, POST
 * /v2/email/outbound-emails, Simple content with attachments), a mail viewer at `/`, `GET /store`.
 */
export type LocalSes = { url: string; close(): Promise<void> };

/** The emulator does not report a taken port, so find out first (and find a free one for port 0). */
function claimPort(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is already in use (set SES_PORT to another port)`)
          : error,
      );
    });
    probe.listen(port, host, () => {
      const address = probe.address();
      const chosen = typeof address === 'object' && address ? address.port : port;
      probe.close(() => resolve(chosen));
    });
  });
}

/** The local account's send rate (emails per second) unless the stack is given another. */
export const LOCAL_MAX_SEND_RATE = 300;

/**
 * What the emulator answers to SES v2 `GetAccount` (it reads `AWS_SES_ACCOUNT` per request): a production
 * account with this send rate, so the sender paces itself locally as it does in AWS.
 */
export function provideLocalAccount(maxSendRate: number): void {
  process.env.AWS_SES_ACCOUNT = JSON.stringify({
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'TRANSACTIONAL',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'vol-is-vol local stack',
      WebsiteURL: 'http://localhost',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 1_000_000, MaxSendRate: maxSendRate, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: [] },
  });
}

export async function startLocalSes(
  port: number,
  host: string,
  maxSendRate = LOCAL_MAX_SEND_RATE,
): Promise<LocalSes> {
  const chosen = await claimPort(port, host);
  provideLocalAccount(maxSendRate);
  // A CommonJS module: from Node's ESM loader its start function is `default.default`; bundlers and vitest
  // unwrap one level themselves.
  type Start = (config: { port: number; host: string }) => Promise<import('node:http').Server>;
  const emulator = (await import('aws-ses-v2-local')) as unknown as { default: Start | { default: Start } };
  const start = typeof emulator.default === 'function' ? emulator.default : emulator.default.default;
  const server = await start({ port: chosen, host });
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${chosen}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
