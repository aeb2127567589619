import * as z from 'zod/mini';

export const DriftSchema = z.strictObject({
  schedule: z._default(z.string(), 'rate(15 minutes)').check(
    z.meta({
      description: 'EventBridge Scheduler expression: rate(...), cron(...)',
    }),
  ),
  mode: z._default(z.enum(['report', 'repair']), 'report').check(
    z.meta({
      description: 'report: list drift only; repair: apply the same changes provisioning would, then re-verify',
    }),
  ),
});

export type DesiredDrift = z.output<typeof DriftSchema>;
