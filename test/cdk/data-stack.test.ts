import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthStage } from './helpers.js';

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
