import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadCursorKey } from '../../lambdas/adapters/cursor-key.js';
import { readCursorConfig } from '../../lambdas/config.js';
import { CursorCodec } from '../../lambdas/use-cases/admin/cursor.js';

const secrets = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:CursorSecret-AbCdEf';
const GENERATED = 'k'.repeat(40) + 'Z'.repeat(24);

beforeEach(() => secrets.reset());

describe('the admin cursor signing key', () => {
  it("in AWS: reads the stage's generated secret by its ARN", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: GENERATED });
    const key = await loadCursorKey(
      readCursorConfig({ CURSOR_SECRET_ARN: ARN }),
      async () => new SecretsManagerClient({}),
    );
    expect(key).toBe(GENERATED);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('refuses to start with a missing or short secret rather than sign with something guessable', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    await expect(loadCursorKey({ secretArn: ARN }, async () => new SecretsManagerClient({}))).rejects.toThrow(
      /shorter than 32/,
    );
    secrets.on(GetSecretValueCommand).resolves({});
    await expect(loadCursorKey({ secretArn: ARN }, async () => new SecretsManagerClient({}))).rejects.toThrow(
      /missing/,
    );
  });

  it('fails the cold start when Secrets Manager fails (the function must not run with another key)', async () => {
    secrets.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    await expect(loadCursorKey({ secretArn: ARN }, async () => new SecretsManagerClient({}))).rejects.toThrow(
      /AccessDenied/,
    );
  });

  it('outside AWS: a configured key, else a random one per process; never derived from the table name', async () => {
    const noClient = async (): Promise<SecretsManagerClient> => {
      throw new Error('no Secrets Manager outside AWS');
    };
    const configured = 'c'.repeat(32);
    expect(await loadCursorKey(readCursorConfig({ CURSOR_SECRET: configured }), noClient)).toBe(configured);
    const first = await loadCursorKey(readCursorConfig({ TABLE_NAME: 'vol-is-vol' }), noClient);
    const second = await loadCursorKey(readCursorConfig({ TABLE_NAME: 'vol-is-vol' }), noClient);
    expect(first).not.toBe(second);
    expect(first.length).toBeGreaterThanOrEqual(32);
    // A cursor signed with the old, derivable key is refused.
    const state = { kind: 'audit' as const, eventId: 'e', position: '2026-01-01T00:00:00Z#a' };
    const forged = new CursorCodec('vol-is-vol:vol-is-vol').encode(state);
    expect(new CursorCodec(first).decode(forged, { kind: 'audit', eventId: 'e' })).toBeUndefined();
  });

  it('rejects a configured key shorter than 32 characters and an ARN that is none', () => {
    expect(() => readCursorConfig({ CURSOR_SECRET: 'short' })).toThrow(/CURSOR_SECRET/);
    expect(() => readCursorConfig({ CURSOR_SECRET_ARN: 'CursorSecret' })).toThrow(/CURSOR_SECRET_ARN/);
  });
});
