import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BusinessEvent, BusinessMetrics } from '../../ports.js';

/** The CloudWatch namespace of the business metrics; the stage is a dimension (the dashboard filters on it). */
export const BUSINESS_METRICS_NAMESPACE = 'VolIsVol';

/** Every business metric with its label on the dashboard (lib/constructs/monitoring.ts graphs each one). */
export const BUSINESS_METRIC_LABELS: Record<BusinessEvent, string> = {
  RegistrationsConfirmed: 'registrations confirmed',
  RegistrationsRefusedFull: 'refused: workshop full',
  WaitingListSignups: 'waiting list signups',
  Promotions: 'promotions',
  EmailsSent: 'emails sent',
  EmailsFailed: 'emails given up',
  EmailsDeferred: 'emails deferred (retry)',
};

/**
 * Business metrics as CloudWatch embedded metric format (EMF): counted in memory during an invocation and
 * written to the log as one JSON line at its end, which CloudWatch turns into metrics. No PutMetricData call,
 * so no IAM permission beyond the function's own log group. Dimensions: `service` (Powertools always adds it,
 * constant) and `stage`. Not the event id: every value of a dimension is a metric of its own, paid monthly.
 */
export class EmfBusinessMetrics implements BusinessMetrics {
  /** Made on the first metric: building it costs milliseconds at a cold start, and many invocations count none. */
  private metrics: Metrics | undefined;

  constructor(private readonly options: { serviceName: string; stage: string }) {}

  record(event: BusinessEvent): void {
    // POWERTOOLS_METRICS_DISABLED=true (the tests) keeps the lines out of stdout.
    this.metrics ??= new Metrics({
      namespace: BUSINESS_METRICS_NAMESPACE,
      serviceName: this.options.serviceName,
      defaultDimensions: { stage: this.options.stage },
    });
    this.metrics.addMetric(event, MetricUnit.Count, 1);
  }

  /** Writes what this invocation counted, as one EMF line; nothing when it counted nothing. */
  flush(): void {
    if (this.metrics?.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}
