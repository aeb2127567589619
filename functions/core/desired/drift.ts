import { z } from 'zod';

export const DriftSchema = z.strictObject({
  schedule: z.string().default('rate(15 minutes)').meta({
    description: 'EventBridge Scheduler expression: rate(...), cron(...)',
  }),
  mode: z.enum(['report', 'repair']).default('report').meta({
    description: 'report: list drift only; repair: apply the same changes provisioning would, then re-verify',
  }),
});

export type DesiredDrift = z.output<typeof DriftSchema>;
