import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { REGISTRATION_INDEX } from '../lambdas/adapters/dynamodb/keys.js';
import {
  INDEX_PARTITION_KEY,
  INDEX_SORT_KEY,
  TABLE_PARTITION_KEY,
  TABLE_SORT_KEY,
  TTL_ATTRIBUTE,
} from '../lambdas/adapters/dynamodb/table-definition.js';
import { DOOR_GROUP } from '../lambdas/http/admin-auth.js';
import type { StageConfig } from './stage-config.js';

/**
 * Tokens and attributes of every organisers' app client (the CLI's here, the dashboard's in the Web stack): ID and
 * access tokens of 15 minutes, since an organiser can export every attendee; refresh tokens of 12 hours.
 */
export const ORGANISER_CLIENT_TOKENS = {
  accessTokenValidity: Duration.minutes(15),
  idTokenValidity: Duration.minutes(15),
  refreshTokenValidity: Duration.hours(12),
  readAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true, emailVerified: true }),
} as const;

export type DataStackProps = StackProps & {
  readonly config: StageConfig;
};

/** Attribute names of the single table come from the one table definition that the local stack also uses. */
export const tableKeys = {
  partitionKey: TABLE_PARTITION_KEY,
  sortKey: TABLE_SORT_KEY,
  gsi1: { indexName: REGISTRATION_INDEX, partitionKey: INDEX_PARTITION_KEY, sortKey: INDEX_SORT_KEY },
  ttlAttribute: TTL_ATTRIBUTE,
} as const;

/** The Cognito group whose members may use the admin API; the admin functions get it as ADMIN_GROUP. */
export const ORGANISERS_GROUP = 'organisers';

/**
 * Stateful resources. Kept apart from the API so that the stateless stack can be replaced,
 * renamed or destroyed without ever touching data. Nothing here is deleted with the stack:
 * the table, its key, the organisers' user pool and the SES identity are all retained.
 */
export class DataStack extends Stack {
  readonly table: dynamodb.ITable;
  /** The customer-managed table key (stage option `tableKmsKey: 'customer-managed'`), else undefined. */
  readonly tableKey: kms.IKey | undefined;
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  /** The SES identity, when this stack creates it (`email.createIdentity`). */
  readonly emailIdentity: ses.EmailIdentity | undefined;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;

    let tableKey: kms.Key | undefined;
    if (config.tableKmsKey === 'customer-managed') {
      tableKey = new kms.Key(this, 'TableKey', {
        description: `vol-is-vol ${config.stage}: encryption of the registration table`,
        alias: `alias/vol-is-vol/${config.stage}/table`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.tableKey = tableKey;

    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: tableKeys.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableKeys.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(tableKey === undefined
        ? { encryption: dynamodb.TableEncryption.AWS_MANAGED }
        : { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: tableKey }),
      timeToLiveAttribute: tableKeys.ttlAttribute,
      // New outbox entries feed the email sender (lib/api-stack.ts). Enabling a stream updates the table in
      // place (CloudFormation: no interruption), so the retained, deletion-protected table stays as it is.
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    table.addGlobalSecondaryIndex({
      indexName: tableKeys.gsi1.indexName,
      partitionKey: { name: tableKeys.gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableKeys.gsi1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    this.table = table;

    const { userPool, client } = this.organiserPool(config);
    this.userPool = userPool;
    this.userPoolClient = client;

    if (config.email.createIdentity) {
      const identity = config.email.identity;
      this.emailIdentity = new ses.EmailIdentity(this, 'EmailIdentity', {
        identity: identity.includes('@') ? ses.Identity.email(identity) : ses.Identity.domain(identity),
        dkimSigning: true,
        dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
      });
      this.emailIdentity.applyRemovalPolicy(RemovalPolicy.RETAIN);
      if (!identity.includes('@')) {
        this.emailIdentity.dkimRecords.forEach((record, index) => {
          new CfnOutput(this, `DkimRecord${index + 1}`, {
            description: `DKIM CNAME record ${index + 1} of 3 for ${identity}: name and value`,
            value: `${record.name} CNAME ${record.value}`,
          });
        });
      }
    }

    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table (seed with npm run seed)',
      value: table.tableName,
    });
    new CfnOutput(this, 'UserPoolId', {
      description: 'Cognito user pool of the organisers',
      value: userPool.userPoolId,
    });
    new CfnOutput(this, 'UserPoolClientId', {
      description: 'App client for the organiser CLI (USER_PASSWORD_AUTH or SRP, no secret)',
      value: client.userPoolClientId,
    });
  }

  /**
   * Organisers' accounts: created by an administrator only, strong passwords, TOTP MFA required, Cognito's
   * threat protection enforced (Plus plan: $0.02 per monthly active user, a few organisers cost cents), retained.
   */
  private organiserPool(config: StageConfig): { userPool: cognito.UserPool; client: cognito.UserPoolClient } {
    const userPool = new cognito.UserPool(this, 'OrganiserPool', {
      userPoolName: `vol-is-vol-${config.stage}-organisers`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      keepOriginal: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
      // Organisers can export every attendee: an authenticator app (TOTP) on every sign-in; no SMS, no email.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false, email: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Uw organisatoraccount voor de aanmeldingen',
        emailBody:
          'U bent toegevoegd als organisator. Gebruikersnaam: {username}. Tijdelijk wachtwoord: {####}. ' +
          'Kies bij de eerste keer inloggen een nieuw wachtwoord (minstens 14 tekens).',
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new cognito.CfnUserPoolGroup(this, 'OrganisersGroup', {
      userPoolId: userPool.userPoolId,
      groupName: ORGANISERS_GROUP,
      description: 'May use the admin API: events, registrations, exports',
    });

    // Door staff: the check-in routes only (lambdas/http/admin-auth.ts, DOOR_ROUTES); no emails, no exports.
    new cognito.CfnUserPoolGroup(this, 'DoorGroup', {
      userPoolId: userPool.userPoolId,
      groupName: DOOR_GROUP,
      description:
        'May check people in at the door and in workshop rooms; sees names, organisations, workshops',
    });

    const client = userPool.addClient('OrganiserCliClient', {
      userPoolClientName: 'organiser-cli',
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      ...ORGANISER_CLIENT_TOKENS,
    });

    // Explicit actions instead of Cognito's defaults, so a reviewer can read them: block known-compromised
    // passwords; medium risk asks for MFA when the organiser has it, high risk requires it (blocks without MFA).
    // Its UserPoolId (a Ref) orders it after the pool; no DependsOn needed.
    new cognito.CfnUserPoolRiskConfigurationAttachment(this, 'RiskConfiguration', {
      userPoolId: userPool.userPoolId,
      clientId: 'ALL',
      compromisedCredentialsRiskConfiguration: {
        actions: { eventAction: 'BLOCK' },
        eventFilter: ['SIGN_IN', 'PASSWORD_CHANGE', 'SIGN_UP'],
      },
      accountTakeoverRiskConfiguration: {
        actions: {
          lowAction: { eventAction: 'NO_ACTION', notify: false },
          mediumAction: { eventAction: 'MFA_IF_CONFIGURED', notify: false },
          highAction: { eventAction: 'MFA_REQUIRED', notify: false },
        },
      },
    });

    return { userPool, client };
  }
}
