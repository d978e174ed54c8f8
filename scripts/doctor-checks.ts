/**
 * The go-live checks of `npm run doctor` (scripts/doctor.ts): each asks AWS (read-only calls) about one thing the
 * stage needs outside the templates and answers ok, warn or blocker in plain Dutch words. Sending and running
 * (SES, Lambda) are in doctor-sending-checks.ts; what the stage holds and points at (Cognito, events, DNS,
 * alarms) in doctor-stage-checks.ts; this file runs them in go-live order.
 */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { StageConfig } from '../lib/stage-config.js';
import {
  blocker,
  type CheckResult,
  type Context,
  type DoctorClients,
  errorName,
  type Outputs,
  stackNames,
} from './doctor-context.js';
import { lambdaConcurrency, sesAccount, sesIdentity } from './doctor-sending-checks.js';
import { alarmSubscribers, eventsSeeded, formDomain, organisers } from './doctor-stage-checks.js';

export {
  type CheckResult,
  type DoctorClients,
  type Resolver,
  type Status,
  stackNames,
} from './doctor-context.js';
export { MIN_UNRESERVED_CONCURRENCY, requiredReservedConcurrency } from './doctor-sending-checks.js';

async function stackOutputs(client: CloudFormationClient, stackName: string): Promise<Outputs | undefined> {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Stacks?.[0]?.Outputs ?? [];
    return Object.fromEntries(outputs.map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
  } catch (error) {
    // CloudFormation answers a stack that does not exist with a ValidationError.
    if (errorName(error) === 'ValidationError') return undefined;
    throw error;
  }
}

/** The checks in go-live order, each with the name the report gives it. */
const CHECKS: [string, (context: Context, check: string) => Promise<CheckResult>][] = [
  ['SES-identiteit', sesIdentity],
  ['SES-account', sesAccount],
  ['Lambda-concurrency', lambdaConcurrency],
  ['Organisatoren', organisers],
  ['Evenementen', eventsSeeded],
  ['Domein van het formulier', formDomain],
  ['Alarmen', alarmSubscribers],
];

/** Every check, in go-live order. A check that AWS refuses to answer (no permission, an outage) blocks too. */
export async function runChecks(config: StageConfig, clients: DoctorClients): Promise<CheckResult[]> {
  const names = stackNames(config.stage);
  let stacks: Context['stacks'];
  try {
    const [data, api, web] = await Promise.all([
      stackOutputs(clients.cloudFormation, names.data),
      stackOutputs(clients.cloudFormation, names.api),
      stackOutputs(clients.cloudFormation, names.web),
    ]);
    stacks = { data, api, web };
  } catch (error) {
    return [
      blocker(
        'AWS',
        `kon de stacks niet lezen: ${errorName(error)} (inloggegevens, rechten of regio ${config.region ?? ''})`,
      ),
    ];
  }
  const context: Context = { config, clients, stacks };
  const results: CheckResult[] = [];
  for (const [check, run] of CHECKS) {
    try {
      results.push(await run(context, check));
    } catch (error) {
      results.push(
        blocker(check, `kon niet worden nagekeken: ${errorName(error)} (rechten of bereikbaarheid van AWS)`),
      );
    }
  }
  return results;
}
