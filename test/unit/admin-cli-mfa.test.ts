/**
 * The organiser CLI's Cognito sign-in when the pool requires TOTP MFA (Cognito mocked at the SDK boundary with
 * aws-sdk-client-mock): the code at every sign-in, and the first sign-in (new password, then the app set up).
 */
import {
  AssociateSoftwareTokenCommand,
  CodeMismatchException,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cognitoSignIn, type Io, main, otpauthUri, type SignInInput } from '../../scripts/admin.js';

const cognito = mockClient(CognitoIdentityProviderClient);
afterAll(() => cognito.restore());
beforeEach(() => cognito.reset());

const input: SignInInput = {
  region: 'eu-west-1',
  clientId: 'client-1',
  username: 'anna@example.nl',
  password: 'p',
};
const client = () => new CognitoIdentityProviderClient({ region: 'eu-west-1' });
/** Cognito's own id for a user who signs in with an email address. */
const USER_ID = '5f1c3b8e-0c4a-4d7e-9d1a-0d6f7e2b9a11';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** Answers the prompts in order, and keeps what the CLI told the person. */
function scriptedPrompts(...answers: string[]) {
  const asked: string[] = [];
  const told: string[] = [];
  return {
    asked,
    told,
    prompts: {
      askSecret: async (question: string) => {
        asked.push(question);
        const answer = answers.shift();
        if (answer === undefined) throw new Error(`unexpected question: ${question}`);
        return answer;
      },
      tell: (text: string) => told.push(text),
    },
  };
}

const respondInputs = () =>
  cognito.commandCalls(RespondToAuthChallengeCommand).map((call) => call.args[0].input);

describe('sign-in with the authenticator app (SOFTWARE_TOKEN_MFA)', () => {
  beforeEach(() => {
    cognito.on(InitiateAuthCommand).resolves({
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: 'session-1',
      ChallengeParameters: { USER_ID_FOR_SRP: USER_ID },
    });
    cognito.on(RespondToAuthChallengeCommand).resolves({ AuthenticationResult: { IdToken: 'id-token' } });
  });

  it('answers with the code given up front (--mfa-code) and asks nothing', async () => {
    const { prompts, asked } = scriptedPrompts();
    expect(await cognitoSignIn({ ...input, mfaCode: '123456' }, client(), prompts)).toBe('id-token');
    expect(asked).toEqual([]);
    expect(respondInputs()).toEqual([
      {
        ClientId: 'client-1',
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: 'session-1',
        ChallengeResponses: { USERNAME: USER_ID, SOFTWARE_TOKEN_MFA_CODE: '123456' },
      },
    ]);
  });

  it('asks for the code when none was given', async () => {
    const { prompts, asked } = scriptedPrompts('654 321');
    expect(await cognitoSignIn(input, client(), prompts)).toBe('id-token');
    expect(asked).toEqual(['Code uit je authenticator-app: ']);
    expect(respondInputs()[0]?.ChallengeResponses?.SOFTWARE_TOKEN_MFA_CODE).toBe('654321');
  });

  it('refuses a code that is not 6 digits before asking Cognito', async () => {
    const { prompts } = scriptedPrompts();
    await expect(cognitoSignIn({ ...input, mfaCode: '12ab' }, client(), prompts)).rejects.toThrow(
      /6 cijfers/,
    );
    expect(respondInputs()).toEqual([]);
  });

  it("passes on Cognito's refusal of a wrong code", async () => {
    cognito
      .on(RespondToAuthChallengeCommand)
      .rejects(new CodeMismatchException({ message: 'Invalid code received for user', $metadata: {} }));
    const { prompts } = scriptedPrompts();
    await expect(cognitoSignIn({ ...input, mfaCode: '000000' }, client(), prompts)).rejects.toThrow(
      /Invalid code/,
    );
  });
});

describe('the first sign-in: a new password, then the authenticator app (MFA_SETUP)', () => {
  beforeEach(() => {
    cognito.on(InitiateAuthCommand).resolves({
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: 'session-1',
      ChallengeParameters: { USER_ID_FOR_SRP: USER_ID, requiredAttributes: '[]' },
    });
    cognito
      .on(RespondToAuthChallengeCommand, { ChallengeName: 'NEW_PASSWORD_REQUIRED' })
      .resolves({
        ChallengeName: 'MFA_SETUP',
        Session: 'session-2',
        ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
      })
      .on(RespondToAuthChallengeCommand, { ChallengeName: 'MFA_SETUP' })
      .resolves({ AuthenticationResult: { IdToken: 'first-id-token' } });
    cognito.on(AssociateSoftwareTokenCommand).resolves({ SecretCode: SECRET, Session: 'session-3' });
    cognito.on(VerifySoftwareTokenCommand).resolves({ Status: 'SUCCESS', Session: 'session-4' });
  });

  it('sets the new password, shows the secret and its otpauth URI, verifies the first code, signs in', async () => {
    const { prompts, asked, told } = scriptedPrompts(
      'Nieuw-Wachtwoord-2030!',
      'Nieuw-Wachtwoord-2030!',
      '246810',
    );
    expect(await cognitoSignIn(input, client(), prompts)).toBe('first-id-token');
    expect(asked).toEqual([
      'Nieuw wachtwoord: ',
      'Nieuw wachtwoord nogmaals: ',
      'Code die de app nu toont: ',
    ]);
    expect(respondInputs()).toEqual([
      {
        ClientId: 'client-1',
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: 'session-1',
        ChallengeResponses: { USERNAME: USER_ID, NEW_PASSWORD: 'Nieuw-Wachtwoord-2030!' },
      },
      {
        ClientId: 'client-1',
        ChallengeName: 'MFA_SETUP',
        Session: 'session-4',
        // The user id Cognito named in the first step, though this step's parameters do not repeat it.
        ChallengeResponses: { USERNAME: USER_ID },
      },
    ]);
    expect(cognito.commandCalls(AssociateSoftwareTokenCommand)[0]?.args[0].input).toEqual({
      Session: 'session-2',
    });
    expect(cognito.commandCalls(VerifySoftwareTokenCommand)[0]?.args[0].input).toEqual({
      Session: 'session-3',
      UserCode: '246810',
      FriendlyDeviceName: 'vol-is-vol',
    });
    const shown = told.join('\n');
    expect(shown).toContain(SECRET);
    expect(shown).toContain(
      `otpauth://totp/vol-is-vol%3Aanna%40example.nl?secret=${SECRET}&issuer=vol-is-vol`,
    );
    // The new password is never echoed.
    expect(shown).not.toContain('Nieuw-Wachtwoord-2030!');
  });

  it('changes nothing when the two new passwords differ', async () => {
    const { prompts } = scriptedPrompts('Nieuw-Wachtwoord-2030!', 'Nieuw-Wachtwoord-2031!');
    await expect(cognitoSignIn(input, client(), prompts)).rejects.toThrow(/verschillen/);
    expect(respondInputs()).toEqual([]);
  });

  it('stops when Cognito does not accept the first code', async () => {
    cognito.on(VerifySoftwareTokenCommand).resolves({ Status: 'ERROR' });
    const { prompts } = scriptedPrompts('Nieuw-Wachtwoord-2030!', 'Nieuw-Wachtwoord-2030!', '246810');
    await expect(cognitoSignIn(input, client(), prompts)).rejects.toThrow(/keurde de code/);
    expect(respondInputs().map((r) => r.ChallengeName)).toEqual(['NEW_PASSWORD_REQUIRED']);
  });
});

describe('the command line', () => {
  it('passes --mfa-code (or VOL_MFA_CODE) to the sign-in', async () => {
    const signIns: SignInInput[] = [];
    const io: Io = {
      out: () => undefined,
      err: () => undefined,
      env: { VOL_PASSWORD: 'p' },
      fetch: (async () =>
        new Response(JSON.stringify({ items: [] }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        })) as typeof fetch,
      askPassword: async () => 'p',
      signIn: async (signIn) => {
        signIns.push(signIn);
        return 'id-token';
      },
    };
    const target = [
      '--url',
      'https://abc123.execute-api.eu-west-1.amazonaws.com/production',
      '--user-pool-client-id',
      'client-1',
      '--username',
      'anna@example.nl',
    ];
    expect(await main(['audit', 'evenement', ...target, '--mfa-code', '123456'], io)).toBe(0);
    expect(
      await main(['audit', 'evenement', ...target], { ...io, env: { ...io.env, VOL_MFA_CODE: '654321' } }),
    ).toBe(0);
    expect(await main(['audit', 'evenement', ...target], io)).toBe(0);
    expect(signIns.map((signIn) => signIn.mfaCode)).toEqual(['123456', '654321', undefined]);
  });

  it('builds the otpauth URI authenticator apps read', () => {
    expect(otpauthUri('bob', 'ABC')).toBe('otpauth://totp/vol-is-vol%3Abob?secret=ABC&issuer=vol-is-vol');
  });
});
