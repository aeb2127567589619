import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import Ajv from 'ajv-draft-04';
import { readFileSync } from 'node:fs';
import { fromRoot } from './paths';

let db: ReturnType<typeof loadAwsServiceSpecSync> | undefined;
/** CloudFormation resource types from @aws-cdk/aws-service-spec (about 0.3 s to load; cached). */
export function cfnResourceSpec(type: string): { properties: Record<string, unknown>; attributes: Record<string, unknown> } | undefined {
  db ??= loadAwsServiceSpecSync();
  const found = db.lookup('resource', 'cloudFormationType', 'equals', type);
  return found.length === 1 ? (found.only() as never) : undefined;
}

const samSchema = JSON.parse(readFileSync(fromRoot('tests', 'fixtures', 'sam', 'sam.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

/** Validates one SAM resource (or Globals) against the official SAM JSON Schema definition. */
export function validateSam(kind: string, value: unknown): string[] {
  const ref =
    kind === 'Globals' ? null : `#/definitions/samtranslator__internal__schema_source__aws_serverless_${kind.replace('AWS::Serverless::', '').toLowerCase()}__Resource`;
  let validate = validators.get(kind);
  if (!validate) {
    validate = ajv.compile(ref ? { $ref: ref, definitions: samSchema.definitions } : { ...samSchema.properties.Globals, definitions: samSchema.definitions });
    validators.set(kind, validate);
  }
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : ''}`);
}

/** Attributes SAM resources expose to !GetAtt (SAM docs, "Resources"). */
export const SAM_ATTRIBUTES: Record<string, string[]> = {
  'AWS::Serverless::Function': ['Arn'],
  'AWS::Serverless::StateMachine': ['Arn', 'Name'],
};

export const PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::Region', 'AWS::StackName', 'AWS::StackId', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::NoValue', 'AWS::NotificationARNs'];
