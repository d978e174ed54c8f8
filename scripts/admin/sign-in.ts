/**
 * The organiser CLI's sign-in to a deployed stack: Cognito USER_PASSWORD_AUTH with the steps Cognito asks for
 * on the way (a new password, setting up the authenticator app, its code), and the hidden password prompt.
 */
import {
  AssociateSoftwareTokenCommand,
  type ChallengeNameType,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export type SignInInput = {
  region: string;
  clientId: string;
  username: string;
  password: string;
  /** The authenticator app's current code, when given up front (`--mfa-code`). */
  mfaCode?: string;
};

/** How the sign-in talks to the person at the terminal, for the steps Cognito asks for. */
export type SignInPrompts = {
  /** Asks for a secret (a new password, a one-time code) without echoing it. */
  askSecret: (question: string) => Promise<string>;
  /** Tells the person something (on stderr, so that --json output stays clean). */
  tell: (text: string) => void;
};

const terminalPrompts: SignInPrompts = {
  askSecret: (question) => askPasswordOnTerminal(question),
  tell: (text) => console.error(text),
};

/** What the authenticator app shows next to the codes. */
export const TOTP_ISSUER = 'vol-is-vol';

/** The URI an authenticator app reads (as a QR code or pasted): RFC 6238 TOTP, 6 digits, 30 seconds. */
export function otpauthUri(username: string, secret: string): string {
  const label = encodeURIComponent(`${TOTP_ISSUER}:${username}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(TOTP_ISSUER)}`;
}

/**
 * Cognito USER_PASSWORD_AUTH (the app client must allow it); the IdToken carries the groups claim. Answers the
 * steps Cognito asks for on the way: a new password at the first sign-in (`NEW_PASSWORD_REQUIRED`), setting up
 * the authenticator app when the pool requires MFA and the user has none yet (`MFA_SETUP`), and the app's code
 * (`SOFTWARE_TOKEN_MFA`).
 */
export async function cognitoSignIn(
  input: SignInInput,
  client = new CognitoIdentityProviderClient({ region: input.region }),
  prompts: SignInPrompts = terminalPrompts,
): Promise<string> {
  try {
    let step: InitiateAuthCommandOutput = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: input.clientId,
        AuthParameters: { USERNAME: input.username, PASSWORD: input.password },
      }),
    );
    // With an email address as sign-in alias, Cognito wants its own user id in the answers; it names it in the
    // first challenge and not always in later ones.
    let userId = input.username;
    // Each step ends the sign-in or asks for the next one; a first sign-in takes three.
    for (let steps = 0; step.ChallengeName && steps < 4; steps++) {
      userId = step.ChallengeParameters?.USER_ID_FOR_SRP ?? userId;
      step = await answerChallenge(step, input, userId, client, prompts);
    }
    if (step.ChallengeName) throw new Error(`Cognito blijft om ${step.ChallengeName} vragen.`);
    const token = step.AuthenticationResult?.IdToken;
    if (!token) throw new Error('Cognito gaf geen IdToken terug.');
    return token;
  } finally {
    client.destroy();
  }
}

const SIX_DIGITS = /^\d{6}$/;

async function askCode(prompts: SignInPrompts, question: string, given?: string): Promise<string> {
  const code = (given ?? (await prompts.askSecret(question))).replace(/\s+/g, '');
  if (!SIX_DIGITS.test(code)) throw new Error('De code van de authenticator-app bestaat uit 6 cijfers.');
  return code;
}

async function answerChallenge(
  step: InitiateAuthCommandOutput,
  input: SignInInput,
  userId: string,
  client: CognitoIdentityProviderClient,
  prompts: SignInPrompts,
): Promise<InitiateAuthCommandOutput> {
  const respond = (
    challengeName: ChallengeNameType,
    session: string | undefined,
    responses: Record<string, string>,
  ) =>
    client.send(
      new RespondToAuthChallengeCommand({
        ClientId: input.clientId,
        ChallengeName: challengeName,
        Session: session,
        ChallengeResponses: { USERNAME: userId, ...responses },
      }),
    );
  switch (step.ChallengeName) {
    case 'NEW_PASSWORD_REQUIRED': {
      prompts.tell(
        'Eerste keer inloggen: kies een nieuw wachtwoord (minstens 14 tekens, met hoofdletters, kleine letters, een cijfer en een leesteken).',
      );
      const password = await prompts.askSecret('Nieuw wachtwoord: ');
      if ((await prompts.askSecret('Nieuw wachtwoord nogmaals: ')) !== password) {
        throw new Error('De twee wachtwoorden verschillen; er is niets veranderd.');
      }
      return respond('NEW_PASSWORD_REQUIRED', step.Session, { NEW_PASSWORD: password });
    }
    case 'MFA_SETUP': {
      const associated = await client.send(new AssociateSoftwareTokenCommand({ Session: step.Session }));
      const secret = associated.SecretCode;
      if (!secret) throw new Error('Cognito gaf geen geheim voor de authenticator-app.');
      prompts.tell(
        [
          'Inloggen vraagt een authenticator-app (TOTP). Voeg deze sleutel toe aan de app',
          '(bijvoorbeeld Microsoft Authenticator, Google Authenticator of 1Password):',
          `  geheim: ${secret}`,
          `  of deze URI (als QR-code): ${otpauthUri(input.username, secret)}`,
        ].join('\n'),
      );
      const verified = await client.send(
        new VerifySoftwareTokenCommand({
          Session: associated.Session,
          UserCode: await askCode(prompts, 'Code die de app nu toont: '),
          FriendlyDeviceName: TOTP_ISSUER,
        }),
      );
      if (verified.Status !== 'SUCCESS') throw new Error('Cognito keurde de code van de app af.');
      prompts.tell('Authenticator-app gekoppeld. Voortaan vraagt inloggen om de code van de app.');
      return respond('MFA_SETUP', verified.Session, {});
    }
    case 'SOFTWARE_TOKEN_MFA': {
      const code = await askCode(prompts, 'Code uit je authenticator-app: ', input.mfaCode);
      return respond('SOFTWARE_TOKEN_MFA', step.Session, { SOFTWARE_TOKEN_MFA_CODE: code });
    }
    default:
      throw new Error(
        `Cognito vraagt een extra stap (${step.ChallengeName}) die deze CLI niet kent; rond die eerst af in de Cognito-console.`,
      );
  }
}

/** Reads a line from the terminal without showing it; from a pipe, reads the first line. */
export async function askPasswordOnTerminal(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    process.stderr.write('\n');
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trim();
  }
  return new Promise((resolve, reject) => {
    let password = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(password);
    };
    const onData = (data: string) => {
      for (const char of data) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new Error('afgebroken'));
        if (char === '\u007f' || char === '\b') password = password.slice(0, -1);
        else password += char;
      }
    };
    stdin.on('data', onData);
  });
}
