import type { LocalStack } from '../../local/stack.js';

/** What the local SES emulator stored (`GET /store`). */
export type StoredEmail = {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { filename?: string; contentType: string; content: string }[];
};

export async function sentEmails(sesUrl: string): Promise<StoredEmail[]> {
  const response = await fetch(`${sesUrl}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails;
}

/**
 * The emails sent to `address` so far, once the sender has handled every outbox entry written before (it is
 * fed by the change feed, after the request has answered).
 */
export async function emailsTo(
  stack: Pick<LocalStack, 'sesUrl' | 'emailsSettled'>,
  address: string,
): Promise<StoredEmail[]> {
  await stack.emailsSettled();
  return (await sentEmails(stack.sesUrl)).filter((email) =>
    email.destination.to.some((to) => to.includes(address)),
  );
}

/** The manage link's id and token, as a person would follow it. */
export function manageLink(email: StoredEmail): { url: URL; id: string; token: string } {
  const match = /https?:\/\/[^\s"<>]+manage\.html\?id=[^\s"<>]+/.exec(email.body.text ?? '');
  if (!match) throw new Error('no manage link in the email');
  const url = new URL(match[0]);
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  return { url, id: url.searchParams.get('id') ?? '', token };
}
