import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { referencedId, resourcesOfType, synthStage } from './helpers.js';

describe('DataStack', () => {
  const { dataTemplate: template } = synthStage('dev');

  it('holds exactly one table', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  it('keys the table on pk/sk (strings) and bills on demand', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('has the gsi1 index on gsi1pk/gsi1sk projecting all attributes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ]),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('protects the data: PITR, deletion protection, retained on stack deletion and replacement', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });

  it('encrypts with the AWS-managed key and expires items on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      // SSEEnabled without SSEType or key: the AWS-managed key (aws/dynamodb).
      SSESpecification: Match.objectEquals({ SSEEnabled: true }),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('is tagged with project and stage', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0];
    expect(table?.Properties.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'project', Value: 'vol-is-vol' },
        { Key: 'stage', Value: 'dev' },
      ]),
    );
  });
});

describe('customer-managed table key (stage option)', () => {
  it.each(['acceptance', 'production'])(
    '%s: a retained KMS key with rotation encrypts the table',
    (stage) => {
      const { dataTemplate } = synthStage(stage);
      const keys = resourcesOfType(dataTemplate, 'AWS::KMS::Key');
      expect(Object.keys(keys)).toHaveLength(1);
      const [keyId, key] = Object.entries(keys)[0] ?? [];
      expect(key?.Properties?.EnableKeyRotation).toBe(true);
      expect(key?.DeletionPolicy).toBe('Retain');
      const table = Object.values(resourcesOfType(dataTemplate, 'AWS::DynamoDB::Table'))[0];
      const sse = table?.Properties?.SSESpecification as {
        SSEEnabled: boolean;
        SSEType: string;
        KMSMasterKeyId: unknown;
      };
      expect(sse.SSEEnabled).toBe(true);
      expect(sse.SSEType).toBe('KMS');
      expect(referencedId(sse.KMSMasterKeyId)).toBe(keyId);
    },
  );

  it('dev: no key of its own', () => {
    synthStage('dev').dataTemplate.resourceCountIs('AWS::KMS::Key', 0);
  });
});

describe.each(['dev', 'test', 'acceptance', 'production'])('organisers user pool MFA (%s)', (stageName) => {
  it('requires TOTP (an authenticator app) of every organiser, and offers no SMS or email codes', () => {
    const pools = synthStage(stageName).dataTemplate.findResources('AWS::Cognito::UserPool');
    const [pool] = Object.values(pools) as { Properties: Record<string, unknown> }[];
    expect(Object.keys(pools)).toHaveLength(1);
    expect(pool?.Properties.MfaConfiguration).toBe('ON');
    expect(pool?.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool?.Properties.SmsConfiguration).toBeUndefined();
  });
});

describe('organisers user pool', () => {
  const { dataTemplate: template } = synthStage('dev');

  it('issues short-lived tokens: a removed organiser keeps access at most 15 minutes (issue 15.8)', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      IdTokenValidity: 15,
      AccessTokenValidity: 15,
      TokenValidityUnits: Match.objectLike({ IdToken: 'minutes', AccessToken: 'minutes' }),
      EnableTokenRevocation: true,
    });
  });

  it('is admin-created only, strong passwords, TOTP MFA required, threat protection, retained', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 14,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
            TemporaryPasswordValidityDays: 3,
          }),
        },
        // TOTP required for every organiser (issue 14): software token only, never SMS or email codes.
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        DeletionProtection: 'ACTIVE',
        UsernameAttributes: ['email'],
      }),
    });
  });

  it('has the door group beside the organisers, in the same pool (check-in only, decided by the function)', () => {
    const groups = template.findResources('AWS::Cognito::UserPoolGroup');
    const byName = Object.fromEntries(
      Object.values(groups).map((group) => [group.Properties.GroupName, group.Properties.UserPoolId]),
    );
    expect(Object.keys(byName).sort()).toEqual(['door', 'organisers']);
    expect(byName.door).toEqual(byName.organisers);
  });

  it('has the organisers group', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'organisers' });
  });

  it('has an app client for the organiser CLI: password and SRP auth, no secret, no OAuth', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayEquals([
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ]),
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
      AllowedOAuthFlowsUserPoolClient: false,
    });
  });

  it('blocks compromised credentials and requires MFA on high-risk sign-ins', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolRiskConfigurationAttachment', {
      ClientId: 'ALL',
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
      AccountTakeoverRiskConfiguration: {
        Actions: Match.objectLike({ HighAction: { EventAction: 'MFA_REQUIRED', Notify: false } }),
      },
    });
  });

  it('outputs the table name, user pool id and client id', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(expect.arrayContaining(['TableName', 'UserPoolId', 'UserPoolClientId']));
  });
});

describe('SES identity (stage option createIdentity)', () => {
  it('production: the domain identity with Easy DKIM is created, retained, and its DKIM records are outputs', () => {
    const { dataTemplate, config } = synthStage('production');
    dataTemplate.hasResource('AWS::SES::EmailIdentity', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        EmailIdentity: config.email.identity,
        DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      }),
    });
    expect(
      Object.keys(dataTemplate.findOutputs('*')).filter((id) => id.startsWith('DkimRecord')),
    ).toHaveLength(3);
  });

  it('dev: the identity is expected to exist already', () => {
    synthStage('dev').dataTemplate.resourceCountIs('AWS::SES::EmailIdentity', 0);
  });
});

describe('the deployed table and the local one', () => {
  it('have the same keys and index, because both come from one table definition', async () => {
    const { createTableInput } = await import('../../lambdas/adapters/dynamodb/table-definition.js');
    const local = createTableInput('local');
    const { dataTemplate } = synthStage('dev');
    const [table] = Object.values(dataTemplate.findResources('AWS::DynamoDB::Table')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(table?.Properties.KeySchema).toEqual(local.KeySchema);
    const sortByName = (list: unknown) =>
      [...(list as { AttributeName: string }[])].sort((a, b) =>
        a.AttributeName.localeCompare(b.AttributeName),
      );
    expect(sortByName(table?.Properties.AttributeDefinitions)).toEqual(
      sortByName(local.AttributeDefinitions),
    );
    const [index] = (table?.Properties.GlobalSecondaryIndexes ?? []) as {
      IndexName: string;
      KeySchema: unknown;
    }[];
    expect(index?.IndexName).toBe(local.GlobalSecondaryIndexes?.[0]?.IndexName);
    expect(index?.KeySchema).toEqual(local.GlobalSecondaryIndexes?.[0]?.KeySchema);
  });
});
