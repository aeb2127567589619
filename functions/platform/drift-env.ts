import { envOnce } from './env';

// Environment of the drift functions, read once per container (house style habit 8).
const STATE_MACHINE = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]+$/;

const guardSpec = {
  DRIFT_LOCK_TABLE: { required: true, hint: 'the DynamoDB table holding the drift lease (template: DriftLockTable)' },
  PROVISION_STATE_MACHINE_ARN: { required: true, pattern: STATE_MACHINE },
  TEARDOWN_STATE_MACHINE_ARN: { required: true, pattern: STATE_MACHINE },
  REALM_STATE_MACHINE_ARN: { required: true, pattern: STATE_MACHINE },
  ROTATION_STATE_MACHINE_ARN: { fallback: '', pattern: STATE_MACHINE, hint: 'empty when the document lists literal endpoint ids (no rotation machine)' },
};
const reportSpec = {
  KEYGATE_OWNER: { required: true, hint: 'the stack name: the metrics carry it as the "stack" dimension' },
  DRIFT_TOPIC_ARN: { fallback: '', pattern: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, hint: 'optional SNS topic for a readable summary (template: DriftNotificationTopicArn)' },
};

export const driftGuardEnv = /* @__PURE__ */ envOnce(guardSpec);
export const driftReportEnv = /* @__PURE__ */ envOnce(reportSpec);
