import {
  emailFeedbackFunctionSpec,
  emailSenderFunctionSpec,
  functionSpecs,
  scheduledFunctionSpecs,
  type TableAccess,
} from '../../lambdas/routes.js';

/** Every function's table grant by name: routes, schedules, the stream-fed sender and the SES feedback function. */
export const tableAccessOf: Record<string, TableAccess> = Object.fromEntries(
  Object.entries({
    ...functionSpecs,
    ...scheduledFunctionSpecs,
    emailSender: emailSenderFunctionSpec,
    emailFeedback: emailFeedbackFunctionSpec,
  }).map(([name, spec]) => [name, spec.tableAccess]),
);
