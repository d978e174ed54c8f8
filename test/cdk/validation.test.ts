import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { stageNames } from '../../lib/stage-config.js';
import { buildApp } from './helpers.js';

type ValidationReport = { pluginReports: { violations?: unknown[] }[] };

const ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** Every acknowledgement in the tree: where it was made, which rule, and why. */
function acknowledgements(app: App): { path: string; scope: IConstruct; id: string; reason: string }[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === ACKNOWLEDGED)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          scope: construct,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** The message of the error that synth throws (in-process synth throws the whole validation report). */
function synthError(app: App): string {
  try {
    app.synth({ force: true });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('synth passed');
}

describe('cdk-nag (AwsSolutions) and CloudFormation validation on every synth', () => {
  it.each(stageNames)(
    '%s: templates synthesize with no unacknowledged finding, findings treated as errors',
    (stage) => {
      const { app } = buildApp(stage, {}, { validate: true });
      const assembly = app.synth();
      const report = JSON.parse(
        readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
      ) as ValidationReport;
      expect(report.pluginReports.flatMap((plugin) => plugin.violations ?? [])).toEqual([]);
    },
    120_000,
  );

  it('fails synth on a new finding (an unencrypted queue without TLS enforcement)', () => {
    const { app, api } = buildApp('dev');
    new sqs.Queue(api, 'CarelessQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const message = synthError(app);
    expect(message).toContain('VolIsVol-dev-Api/CarelessQueue/Resource');
    for (const rule of ['SQS2', 'SQS3', 'SQS4']) expect(message).toContain(`AwsSolutions-${rule}'`);
  });

  it('fails synth on a warning-level finding too (a table without point-in-time recovery)', () => {
    const { app, data } = buildApp('dev');
    new dynamodb.Table(data, 'ForgetfulTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    const message = synthError(app);
    expect(message).toMatch(/WARNING The DynamoDB table does not have Point-in-time Recovery enabled/);
    expect(message).toContain('VolIsVol-dev-Data/ForgetfulTable/Resource');
    expect(message).toContain("AwsSolutions-DDB3'");
  });

  it('passes once that finding is acknowledged with a reason on the resource itself', () => {
    const { app, data } = buildApp('dev');
    const table = new dynamodb.Table(data, 'ScratchTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    Validations.of(table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason: 'Scratch data that is rebuilt from the source on every run; nothing to recover.',
    });
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  it.each(stageNames)(
    '%s: every acknowledgement is on a resource, never a whole stack, with a real reason',
    (stage) => {
      const { app } = buildApp(stage);
      const acks = acknowledgements(app);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(Stack.isStack(ack.scope), `${ack.id} acknowledged on a whole stack (${ack.path})`).toBe(false);
        expect(ack.scope).not.toBe(app);
        expect(ack.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
        expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
      }
    },
  );

  it.each(['dev', 'production'])(
    '%s: no acknowledgement claims a WAF rule the stage or route lacks',
    (stage) => {
      const built = buildApp(stage);
      const wafOn = built.config.waf.enabled;
      const acks = acknowledgements(built.app);
      expect(acks.filter((ack) => /\/GET$/.test(ack.path)).length).toBeGreaterThan(0);
      for (const ack of acks) {
        const claimsWaf = /WAF (refuses|rate rule)|a WAF rate rule|its own WAF|WAF IP reputation/.test(
          ack.reason,
        );
        if (!wafOn) expect(claimsWaf, `${ack.id} at ${ack.path}: ${ack.reason}`).toBe(false);
        // A read (GET) route is counted by no rate rule: its reason may not say so.
        if (/\/GET$/.test(ack.path)) expect(ack.reason, ack.path).not.toMatch(/rate rule/);
      }
    },
  );

  it('acknowledges exactly the expected findings (a new kind of acknowledgement must be reviewed here)', () => {
    const ids = (stage: string) =>
      [...new Set(acknowledgements(buildApp(stage).app).map((ack) => ack.id))].sort();
    const common = [
      'AwsSolutions-APIG2',
      'AwsSolutions-APIG4',
      'AwsSolutions-COG4',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'AwsSolutions-IAM5[Resource::*]',
      // The scheduled functions' failed-run queues are dead-letter queues themselves.
      'AwsSolutions-SQS3',
      // The admin cursors' signing secret has no rotation function.
      'AwsSolutions-SMG4',
      // Web stack: the CloudFront distribution, its bucket, and the BucketDeployment's CDK-provided handler.
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-S1',
      'AwsSolutions-L1',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Resource::<SiteBucket397A1860.Arn>/*]',
    ];
    const assetBucket = (account: string) =>
      `AwsSolutions-IAM5[Resource::arn:aws:s3:::cdk-hnb659fds-assets-${account}-eu-west-1/*]`;
    // Production names its account and serves the form on its own domain (no CFR4 acknowledgement).
    expect(ids('production')).toEqual([...common, assetBucket('123456789012')].sort());
    // Dev: WAF is off (APIG3, on the API stage only) and the form has the *.cloudfront.net name (CFR4).
    expect(ids('dev')).toEqual(
      [...common, assetBucket('<AWS::AccountId>'), 'AwsSolutions-APIG3', 'AwsSolutions-CFR4'].sort(),
    );
  });
});
