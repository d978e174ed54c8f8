import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import {
  loadStageConfig,
  StageConfigError,
  type StageConfigInput,
  stackEnv,
  stageConfigs,
  stageNames,
} from '../../lib/stage-config.js';
import { buildApp } from './helpers.js';

const valid: StageConfigInput = {
  stage: 'dev',
  throttling: { rateLimit: 10, burstLimit: 20 },
  corsOrigins: ['https://form.example.org'],
  logRetentionDays: RetentionDays.ONE_WEEK,
  terminationProtection: false,
};

const loadDev = (overrides: Record<string, unknown>) =>
  loadStageConfig('dev', { dev: { ...valid, ...overrides } as StageConfigInput });

describe('stage configuration', () => {
  it.each(stageNames)('stage %s is configured and valid', (stage) => {
    const config = loadStageConfig(stage);
    expect(config.stage).toBe(stage);
    expect(config.throttling.rateLimit).toBeGreaterThan(0);
    expect(config.throttling.burstLimit).toBeGreaterThan(0);
    expect(config.corsOrigins.length).toBeGreaterThan(0);
  });

  it('knows exactly the four stages', () => {
    expect(Object.keys(stageConfigs).sort()).toEqual(['acceptance', 'dev', 'production', 'test']);
  });

  it('production keeps stacks from accidental deletion and logs longer than dev', () => {
    const production = loadStageConfig('production');
    expect(production.terminationProtection).toBe(true);
    expect(production.logRetentionDays).toBeGreaterThan(loadStageConfig('dev').logRetentionDays);
    expect(production.corsOrigins.every((origin) => origin.startsWith('https://'))).toBe(true);
  });

  it('rejects an unknown stage with a message naming the valid ones', () => {
    expect(() => loadStageConfig('staging')).toThrow(StageConfigError);
    expect(() => loadStageConfig('staging')).toThrow(
      /Unknown stage "staging".*dev\|test\|acceptance\|production/,
    );
    expect(() => loadStageConfig('')).toThrow(/Unknown stage ""/);
    expect(() => loadStageConfig(42)).toThrow(/Unknown stage 42/);
  });

  it.each([
    ['a trailing slash on an origin', { corsOrigins: ['https://form.example.org/'] }, /corsOrigins\.0/],
    [
      'a plain-http origin that is not localhost',
      { corsOrigins: ['http://form.example.org'] },
      /corsOrigins\.0/,
    ],
    ['no origins', { corsOrigins: [] }, /corsOrigins/],
    ['a negative rate', { throttling: { rateLimit: -1, burstLimit: 20 } }, /throttling\.rateLimit/],
    ['a fractional burst', { throttling: { rateLimit: 10, burstLimit: 2.5 } }, /throttling\.burstLimit/],
    ['a retention CloudWatch does not offer', { logRetentionDays: 8 }, /logRetentionDays: must be one of/],
    ['a malformed account', { account: '1234' }, /account: must be a 12-digit/],
    ['a malformed region', { region: 'Europe' }, /region: must be an AWS region/],
    ['an unknown key', { retention: 7 }, /retention/],
  ])('rejects %s', (_label, overrides, message) => {
    expect(() => loadDev(overrides)).toThrow(StageConfigError);
    expect(() => loadDev(overrides)).toThrow(message);
  });

  it('rejects a configuration filed under another stage name', () => {
    expect(() => loadStageConfig('dev', { dev: { ...valid, stage: 'test' } })).toThrow(/says stage "test"/);
  });

  it('falls back to the CLI default account and region, and prefers configured ones', () => {
    const cliEnv = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'eu-west-1' };
    expect(stackEnv(loadDev({}), cliEnv)).toEqual({ account: '111111111111', region: 'eu-west-1' });
    expect(stackEnv(loadDev({ account: '222222222222', region: 'eu-central-1' }), cliEnv)).toEqual({
      account: '222222222222',
      region: 'eu-central-1',
    });
    expect(stackEnv(loadDev({}), {})).toEqual({ account: undefined, region: undefined });
  });
});

describe('stage selection in the app', () => {
  it('fails synth for an unknown stage before building anything', () => {
    expect(() => buildApp('staging')).toThrow(/Unknown stage "staging"/);
  });

  it('defaults to dev without -c stage', () => {
    const { data, api, config } = buildApp(undefined);
    expect(config.stage).toBe('dev');
    expect(data.stackName).toBe('VolIsVol-dev-Data');
    expect(api.stackName).toBe('VolIsVol-dev-Api');
  });

  it('names the stacks after the chosen stage and uses the CLI environment', () => {
    const { data, api } = buildApp('production', {
      CDK_DEFAULT_ACCOUNT: '123456789012',
      CDK_DEFAULT_REGION: 'eu-west-1',
    });
    expect(data.stackName).toBe('VolIsVol-production-Data');
    expect(api.stackName).toBe('VolIsVol-production-Api');
    expect(api.account).toBe('123456789012');
    expect(api.region).toBe('eu-west-1');
    expect(data.terminationProtection).toBe(true);
  });
});
