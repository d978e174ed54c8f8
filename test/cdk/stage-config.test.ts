import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import {
  identityCovers,
  loadStageConfig,
  mailFromOf,
  parseMailbox,
  StageConfigError,
  type StageConfigInput,
  stackEnv,
  stageConfigs,
  stageNames,
} from '../../lib/stage-config.js';
import { buildApp, exampleStage, exampleStageConfigs } from './helpers.js';

const valid: StageConfigInput = {
  stage: 'dev',
  throttling: { rateLimit: 10, burstLimit: 20 },
  allowedOrigins: ['https://form.example.org'],
  publicBaseUrl: 'https://form.example.org/aanmelden',
  logRetentionDays: RetentionDays.ONE_WEEK,
  terminationProtection: false,
  tableKmsKey: 'aws-managed',
  email: {
    identity: 'aanmelden.example.nl',
    createIdentity: false,
    mailFrom: 'Dag van Weerbaar Bestuur <noreply@aanmelden.example.nl>',
    configurationSet: { kind: 'none' },
  },
  waf: { enabled: true, registrationRateLimit: 100 },
  reservedConcurrency: {},
};
const validEmail = valid.email;

const loadDev = (overrides: Record<string, unknown>) =>
  loadStageConfig('dev', { dev: { ...valid, ...overrides } as StageConfigInput });

describe('stage configuration', () => {
  it.each(stageNames)(
    'stage %s is configured and valid (public stages with the example settings)',
    (stage) => {
      const config = exampleStage(stage);
      expect(config.stage).toBe(stage);
      expect(config.throttling.rateLimit).toBeGreaterThan(0);
      expect(config.throttling.burstLimit).toBeGreaterThan(0);
      expect(config.allowedOrigins.length).toBeGreaterThan(0);
      expect(config.allowedOrigins).toContain(new URL(config.publicBaseUrl).origin);
      expect(identityCovers(config.email.identity, mailFromOf(config.email).address)).toBe(true);
    },
  );

  it('deploys every stage to eu-west-1, on its own table (no restore override left behind)', () => {
    for (const stage of stageNames) {
      const config = exampleStage(stage);
      expect(config.region).toBe('eu-west-1');
      expect(config.restoredTableName).toBeUndefined();
    }
  });

  it('knows exactly the four stages', () => {
    expect(Object.keys(stageConfigs).sort()).toEqual(['acceptance', 'dev', 'production', 'test']);
  });

  it('production keeps stacks from accidental deletion, logs longer than dev, and is guarded', () => {
    const production = exampleStage('production');
    expect(production.terminationProtection).toBe(true);
    expect(production.logRetentionDays).toBeGreaterThan(loadStageConfig('dev').logRetentionDays);
    expect(production.allowedOrigins.every((origin) => origin.startsWith('https://'))).toBe(true);
    expect(production.publicBaseUrl.startsWith('https://')).toBe(true);
    expect(production.waf.enabled).toBe(true);
    expect(production.tableKmsKey).toBe('customer-managed');
    expect(production.alarmEmail).toBeDefined();
    expect(production.reservedConcurrency.scheduledFunctions).toBeLessThanOrEqual(2);
  });

  it('accepts a minimal valid configuration and fills in defaults', () => {
    const config = loadDev({});
    expect(config.reservedConcurrency.functions).toEqual({});
    expect(config.email.replyTo).toBeUndefined();
    expect(config.alarmEmail).toBeUndefined();
  });

  it.each([
    ['an existing configuration set', { kind: 'existing', name: 'vol-is-vol-mail' }],
    ['a configuration set to create', { kind: 'create' }],
  ])('accepts %s', (_label, configurationSet) => {
    const config = loadDev({ email: { ...validEmail, configurationSet } });
    expect(config.email.configurationSet).toEqual(configurationSet);
  });

  it('accepts an address identity that is the From address itself', () => {
    const config = loadDev({
      email: { ...validEmail, identity: 'aanmelden@example.nl', mailFrom: 'aanmelden@example.nl' },
    });
    expect(mailFromOf(config.email)).toEqual({ address: 'aanmelden@example.nl' });
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
    ['a trailing slash on an origin', { allowedOrigins: ['https://form.example.org/'] }, /allowedOrigins\.0/],
    [
      'a plain-http origin that is not localhost',
      { allowedOrigins: ['http://form.example.org'] },
      /allowedOrigins\.0/,
    ],
    ['no origins', { allowedOrigins: [] }, /allowedOrigins/],
    [
      'a public base URL outside the allowed origins',
      { publicBaseUrl: 'https://elders.example.org' },
      /publicBaseUrl: its origin https:\/\/elders\.example\.org must be one of allowedOrigins/,
    ],
    ['a public base URL with a query', { publicBaseUrl: 'https://form.example.org/?a=1' }, /publicBaseUrl/],
    ['a plain-http public base URL', { publicBaseUrl: 'http://form.example.org' }, /publicBaseUrl/],
    [
      'a From address outside the SES identity',
      { email: { ...validEmail, mailFrom: 'Bestuur <aanmelden@example.nl>' } },
      /email\.mailFrom: the address aanmelden@example\.nl is not covered by the SES identity aanmelden\.example\.nl/,
    ],
    [
      'a malformed From header',
      { email: { ...validEmail, mailFrom: 'Bestuur <geen adres>' } },
      /email\.mailFrom: must be "Display Name <address@domain>"/,
    ],
    [
      'an identity that is neither a domain nor an address',
      { email: { ...validEmail, identity: 'https://example.nl' } },
      /email\.identity/,
    ],
    ['a malformed Reply-To', { email: { ...validEmail, replyTo: 'organisatie' } }, /email\.replyTo/],
    [
      'an unknown configuration set kind',
      { email: { ...validEmail, configurationSet: { kind: 'maybe' } } },
      /email\.configurationSet/,
    ],
    ['an unknown table key kind', { tableKmsKey: 'own-key' }, /tableKmsKey/],
    [
      'a WAF rate below what WAF accepts',
      { waf: { enabled: true, registrationRateLimit: 5 } },
      /waf\.registrationRateLimit/,
    ],
    ['a malformed alarm email', { alarmEmail: 'beheer' }, /alarmEmail/],
    ['a restored table name with a slash', { restoredTableName: 'a/b' }, /restoredTableName/],
    [
      'a scheduled reserved concurrency of 0',
      { reservedConcurrency: { scheduledFunctions: 0 } },
      /reservedConcurrency\.scheduledFunctions/,
    ],
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

describe('mail addresses', () => {
  it.each([
    [
      'Dag van Weerbaar Bestuur <aanmelden@example.nl>',
      { displayName: 'Dag van Weerbaar Bestuur', address: 'aanmelden@example.nl' },
    ],
    ['  Aanmelden@Example.nl ', { address: 'aanmelden@example.nl' }],
    ['<aanmelden@example.nl>', { address: 'aanmelden@example.nl' }],
  ])('parses %j', (value, expected) => {
    expect(parseMailbox(value)).toEqual(expected);
  });

  it.each(['Bestuur', 'Bestuur <>', '"Bestuur" <a@b.nl>', 'a@b.nl, c@d.nl', 'Bestuur <a@b.nl'])(
    'refuses %j',
    (value) => {
      expect(parseMailbox(value)).toBeUndefined();
    },
  );

  it('knows which addresses an identity covers', () => {
    expect(identityCovers('example.nl', 'a@example.nl')).toBe(true);
    expect(identityCovers('example.nl', 'a@aanmelden.example.nl')).toBe(true);
    expect(identityCovers('aanmelden.example.nl', 'a@example.nl')).toBe(false);
    expect(identityCovers('example.nl', 'a@badexample.nl')).toBe(false);
    expect(identityCovers('a@example.nl', 'A@example.nl')).toBe(true);
    expect(identityCovers('a@example.nl', 'b@example.nl')).toBe(false);
  });
});

describe('public stages refuse placeholders and missing settings', () => {
  it.each(['acceptance', 'production'])(
    '%s with the shipped placeholders fails, naming each field and what to put there',
    (stage) => {
      const error = (() => {
        try {
          loadStageConfig(stage);
        } catch (thrown) {
          return thrown as Error;
        }
        throw new Error('expected the shipped configuration to be refused');
      })();
      expect(error).toBeInstanceOf(StageConfigError);
      for (const field of [
        'account: required',
        'webDomainName: required',
        'webCertificateArn: required',
        'allowedOrigins.0: ',
        'publicBaseUrl: ',
        'email.identity: ',
        'email.mailFrom: ',
        'email.replyTo: ',
        'alarmEmail: ',
      ]) {
        expect(error.message).toContain(`  - ${field}`);
      }
      expect(error.message).toMatch(/account: required for stage \w+: put the 12-digit id/);
      expect(error.message).toMatch(/publicBaseUrl: \S+example\.org is a placeholder/);
    },
  );

  it.each([
    ['example.com', 'alarmEmail', 'oncall@example.com'],
    ['a .test host', 'alarmEmail', 'oncall@aanmelden.test'],
    ['a missing alarm address', 'alarmEmail', undefined],
    ['a missing account', 'account', undefined],
  ])('production refuses %s', (_label, field, value) => {
    const production = { ...exampleStageConfigs.production, [field]: value };
    expect(() => loadStageConfig('production', { production })).toThrow(new RegExp(`  - ${field}: `));
  });

  it('dev and test run with placeholders and without a domain', () => {
    expect(loadStageConfig('dev').webDomainName).toBeUndefined();
    expect(loadStageConfig('test').webDomainName).toBeUndefined();
  });

  it('synth of production fails without a settings file and passes with the example one', () => {
    expect(() => buildApp('production', {}, { settings: null })).toThrow(/webCertificateArn: required/);
    expect(buildApp('production').config.webDomainName).toBe('aanmelden.voorbeeldgemeente.nl');
  });

  it('a settings file that is not an object of stages is refused with its name', () => {
    expect(() => buildApp('production', {}, { settings: '/nonexistent/settings.json' })).toThrow(
      /Cannot read the settings file \/nonexistent\/settings\.json/,
    );
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
