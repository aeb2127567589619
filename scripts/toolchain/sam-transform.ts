import { spawnSync } from 'node:child_process';
import { fromPackageRoot } from '../package-root';
import { pythonTools } from './python-tools';

/** A CloudFormation template as JSON (the SAM transform's output). */
export interface CfnTemplate {
  Parameters?: Record<string, { Type: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, any> }>;
}

/**
 * template.yaml through the real SAM translator (samtranslator, shipped with the pinned SAM CLI; see
 * scripts/toolchain/sam-transform.py), with these parameter values and pseudo parameters
 * (`AWS::StackName`, `AWS::Region`, `AWS::AccountId`): the CloudFormation template a deploy creates.
 *
 * @example
 * const cfn = samTransform({ 'AWS::StackName': 'keygate-dev', 'AWS::Region': 'ap-northeast-1', 'AWS::AccountId': '111122223333', KeycloakInstanceId: 'i-0123456789abcdef0' });
 * cfn.Resources.EnsureGatewayFunctionRole
 */
export function samTransform(parameters: Record<string, unknown>, template = fromPackageRoot('template.yaml')): CfnTemplate {
  const { python, env } = pythonTools();
  const out = spawnSync(python, [fromPackageRoot('scripts', 'toolchain', 'sam-transform.py'), template, JSON.stringify(parameters)], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (out.error) throw out.error;
  if (out.status !== 0) throw new Error(`the SAM translator refused ${template}:\n${out.stderr.trim().split('\n').slice(-3).join('\n')}`);
  return JSON.parse(out.stdout) as CfnTemplate;
}
