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

export async function emailsTo(sesUrl: string, address: string): Promise<StoredEmail[]> {
  return (await sentEmails(sesUrl)).filter((email) =>
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
