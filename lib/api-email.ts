import type { Stack } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { EmailSending } from './constructs/api-function.js';
import { mailFromOf, type StageConfig } from './stage-config.js';

/** How the API's functions send email: the configuration set (if any), the sending grant and the environment. */
export type ApiEmail = {
  /** The configuration set this stack creates (`configurationSet.kind: 'create'`); undefined otherwise. */
  readonly configurationSet: ses.ConfigurationSet | undefined;
  /** The name of the configuration set mails go out through, created or existing; undefined without one. */
  readonly configurationSetName: string | undefined;
  /** What an email-sending function is granted. */
  readonly sending: EmailSending;
  /** Environment variables of an email-sending function. */
  readonly environment: Record<string, string>;
};

/** Email: the configuration set (if any) and the one sending grant, for the functions with `sendsEmail`. */
export function setUpEmailSending(stack: Stack, config: StageConfig): ApiEmail {
  const mailFrom = mailFromOf(config.email);
  let configurationSet: ses.ConfigurationSet | undefined;
  let configurationSetName: string | undefined;
  const configurationSetMode = config.email.configurationSet;
  if (configurationSetMode.kind === 'create') {
    configurationSet = new ses.ConfigurationSet(stack, 'EmailConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    configurationSetName = configurationSet.configurationSetName;
  } else if (configurationSetMode.kind === 'existing') {
    configurationSetName = configurationSetMode.name;
  }
  const sending: EmailSending = {
    identityArn: stack.formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: config.email.identity,
    }),
    configurationSetArn:
      configurationSetName === undefined
        ? undefined
        : stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: configurationSetName,
          }),
    fromAddress: mailFrom.address,
  };
  const environment: Record<string, string> = {
    MAIL_FROM: config.email.mailFrom,
    PUBLIC_BASE_URL: config.publicBaseUrl,
    ...(config.email.replyTo === undefined ? {} : { MAIL_REPLY_TO: config.email.replyTo }),
    ...(configurationSetName === undefined ? {} : { SES_CONFIGURATION_SET: configurationSetName }),
  };
  return { configurationSet, configurationSetName, sending, environment };
}
