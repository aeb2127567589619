// The error module: every error name that TypeScript throws and ASL matches lives here (re-exported
// from one file per area). tests/unit/statemachine/asl-invariants.test.ts checks every ASL
// `ErrorEquals` against these names.
export { KeygateError, type Problem } from './base';
export { DesiredStateInvalidError, formatProblem } from './desired-state';
export { ResourcePolicyInputError } from './resource-policy';
