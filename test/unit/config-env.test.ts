import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readAdminGroup,
  readAllowedOrigins,
  readConsistencyRecheckDelayMs,
  readDoorToken,
  readLocalCredentials,
  readServiceName,
} from '../../lambdas/config.js';

const lambdasDir = join(import.meta.dirname, '..', '..', 'lambdas');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('environment variables go through lambdas/config.ts', () => {
  it('no file under lambdas/ but config.ts reads process.env', () => {
    const files = sourceFiles(lambdasDir).map((path) => relative(lambdasDir, path));
    expect(files).toContain('config.ts');
    const readers = files.filter(
      (file) =>
        file !== 'config.ts' &&
        /process\s*(\.\s*env\b|\[\s*['"`]env['"`]\s*\])/.test(readFileSync(join(lambdasDir, file), 'utf8')),
    );
    expect(readers).toEqual([]);
  });

  it('CORS origins: a comma-separated list, trimmed, none when unset', () => {
    expect(readAllowedOrigins({ ALLOWED_ORIGINS: ' https://a.example.nl, ,https://b.example.nl ' })).toEqual([
      'https://a.example.nl',
      'https://b.example.nl',
    ]);
    expect(readAllowedOrigins({})).toEqual([]);
  });

  it('admin group and service name fall back to their defaults when unset or blank', () => {
    expect(readAdminGroup({})).toBe('organisers');
    expect(readAdminGroup({ ADMIN_GROUP: ' beheer ' })).toBe('beheer');
    expect(readServiceName({})).toBe('vol-is-vol');
    expect(readServiceName({ POWERTOOLS_SERVICE_NAME: 'ander' })).toBe('ander');
  });

  it('the local door token: unset (the stack makes one), or at least 16 characters', () => {
    expect(readDoorToken({})).toBeUndefined();
    expect(readDoorToken({ DOOR_TOKEN: 'deur-token-van-16-tekens' })).toBe('deur-token-van-16-tekens');
    expect(() => readDoorToken({ DOOR_TOKEN: 'kort' })).toThrow(/DOOR_TOKEN/);
  });

  it('the consistency recheck delay: 2 s by default, a malformed value stops the container naming it', () => {
    expect(readConsistencyRecheckDelayMs({})).toBe(2_000);
    expect(readConsistencyRecheckDelayMs({ CONSISTENCY_RECHECK_DELAY_MS: '0' })).toBe(0);
    for (const bad of ['soon', '-1', '1.5', '60001']) {
      expect(() => readConsistencyRecheckDelayMs({ CONSISTENCY_RECHECK_DELAY_MS: bad })).toThrow(
        /CONSISTENCY_RECHECK_DELAY_MS/,
      );
    }
  });

  it('local endpoint credentials: the environment’s when present, placeholders otherwise', () => {
    expect(readLocalCredentials({})).toEqual({ accessKeyId: 'local', secretAccessKey: 'local' });
    expect(readLocalCredentials({ AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'secret' })).toEqual({
      accessKeyId: 'id',
      secretAccessKey: 'secret',
    });
  });
});
