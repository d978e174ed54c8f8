import type { FunctionSpec, Route, ScheduledFunctionSpec } from '../lambdas/routes.js';
import type { StageConfig } from './stage-config.js';

/** How a function is reached: behind public or manage-token routes, behind admin routes only, or on a schedule. */
export type FunctionKind = 'route' | 'admin' | 'scheduled';

export function functionKinds(
  routeTable: readonly Route[],
  specs: Readonly<Record<string, FunctionSpec>>,
  scheduled: Readonly<Record<string, ScheduledFunctionSpec>>,
): Map<string, FunctionKind> {
  const kinds = new Map<string, FunctionKind>();
  for (const name of Object.keys(specs)) {
    const served = routeTable.filter((route) => route.functionName === name);
    const adminOnly = served.length > 0 && served.every((route) => route.auth === 'admin');
    kinds.set(name, adminOnly ? 'admin' : 'route');
  }
  for (const name of Object.keys(scheduled)) kinds.set(name, 'scheduled');
  return kinds;
}

/** The reserved concurrency a function gets in a stage: its own setting, else the one of its kind, else none. */
export function reservedConcurrencyOf(
  config: Pick<StageConfig, 'reservedConcurrency'>,
  name: string,
  kind: FunctionKind,
): number | undefined {
  const settings = config.reservedConcurrency;
  return (
    settings.functions[name] ??
    (kind === 'scheduled'
      ? settings.scheduledFunctions
      : kind === 'admin'
        ? settings.adminFunctions
        : undefined)
  );
}
