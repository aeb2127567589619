import { Metrics } from '@aws-lambda-powertools/metrics';
import { DRIFT_METRICS } from '../core/drift/metrics';

/** The one Powertools Metrics instance: EMF lines on stdout, which CloudWatch turns into metrics. */
export const metrics = new Metrics({ namespace: DRIFT_METRICS.namespace, serviceName: 'keygate' });
