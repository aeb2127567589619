import type { CfnTemplate } from '../../scripts/toolchain/sam-transform';
import { physicalName } from '../world/stack';

/** Where and as what a template is deployed: the stack's name, region, account and parameter values. */
export interface Deployment {
  stackName: string;
  region: string;
  accountId: string;
  parameters: Record<string, string>;
}

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * A template (SAM or transformed) with its intrinsic functions evaluated for one deployment, as CloudFormation
 * evaluates them: Ref and Fn::GetAtt of parameters, pseudo parameters and resources (physical ids by
 * the local world's naming rule, emulators/world/stack.ts), Fn::Sub, Fn::Join, Fn::Select, Fn::Split,
 * Fn::If with the template's Conditions, and AWS::NoValue dropped. Only what keygate's template uses;
 * anything else is an error naming it.
 */
export class DeployedStack {
  private readonly conditions = new Map<string, boolean>();

  constructor(
    readonly template: CfnTemplate,
    readonly deployment: Deployment,
  ) {}

  /** Whether a resource exists in this deployment (its Condition holds). */
  exists(logicalId: string): boolean {
    const resource = this.template.Resources[logicalId];
    return resource !== undefined && (resource.Condition === undefined || this.condition(resource.Condition));
  }

  condition(name: string): boolean {
    let value = this.conditions.get(name);
    if (value === undefined) {
      const expression = this.template.Conditions?.[name];
      if (expression === undefined) throw new TypeError(`no Condition ${name} in the template`);
      value = this.truth(expression);
      this.conditions.set(name, value);
    }
    return value;
  }

  /** `value` with every intrinsic evaluated. */
  resolve(value: unknown): unknown {
    const resolved = this.evaluate(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  ref(name: string): unknown {
    const pseudo: Record<string, string> = {
      'AWS::StackName': this.deployment.stackName,
      'AWS::Region': this.deployment.region,
      'AWS::AccountId': this.deployment.accountId,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackId': `arn:aws:cloudformation:${this.deployment.region}:${this.deployment.accountId}:stack/${this.deployment.stackName}/00000000-0000-0000-0000-000000000000`,
    };
    if (name in pseudo) return pseudo[name];
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      const value = String(this.deployment.parameters[name] ?? parameter.Default ?? '');
      return parameter.Type === 'CommaDelimitedList' ? value.split(',') : value;
    }
    const resource = this.template.Resources[name];
    if (!resource) throw new TypeError(`Ref ${name}: no parameter or resource of that name`);
    const { region, accountId } = this.deployment;
    const own = physicalName(name, resource.Type, this.deployment.stackName);
    switch (resource.Type) {
      case 'AWS::SSM::Parameter':
        return this.resolve(resource.Properties?.Name) ?? own;
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::Serverless::StateMachine':
        return `arn:aws:states:${region}:${accountId}:stateMachine:${physicalName(name, 'AWS::StepFunctions::StateMachine', this.deployment.stackName)}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${accountId}:${own}`;
      case 'AWS::Logs::LogGroup':
        return this.resolve(resource.Properties?.LogGroupName) ?? own;
      default:
        return own;
    }
  }

  getAtt(name: string, attribute: string): string {
    const resource = this.template.Resources[name];
    if (!resource) throw new TypeError(`Fn::GetAtt ${name}.${attribute}: no such resource`);
    const { region, accountId } = this.deployment;
    const ref = String(this.ref(name));
    const arns: Record<string, () => string> = {
      'AWS::IAM::Role': () => `arn:aws:iam::${accountId}:role/${ref}`,
      'AWS::Lambda::Function': () => `arn:aws:lambda:${region}:${accountId}:function:${ref}`,
      'AWS::Serverless::Function': () => `arn:aws:lambda:${region}:${accountId}:function:${ref}`,
      'AWS::S3::Bucket': () => `arn:aws:s3:::${ref}`,
      'AWS::DynamoDB::Table': () => `arn:aws:dynamodb:${region}:${accountId}:table/${ref}`,
      'AWS::StepFunctions::StateMachine': () => ref,
      'AWS::Serverless::StateMachine': () => ref,
      'AWS::Logs::LogGroup': () => `arn:aws:logs:${region}:${accountId}:log-group:${ref}:*`,
    };
    if (attribute === 'Arn' && arns[resource.Type]) return arns[resource.Type]!();
    if (attribute === 'Name' && resource.Type.endsWith('::StateMachine')) return ref.split(':').at(-1)!;
    throw new TypeError(`Fn::GetAtt ${name}.${attribute} (${resource.Type}) is not modelled`);
  }

  private truth(expression: unknown): boolean {
    const [fn, args] = Object.entries(expression as Record<string, unknown>)[0] ?? [];
    const list = args as unknown[];
    switch (fn) {
      case 'Fn::Equals':
        return JSON.stringify(this.resolve(list[0])) === JSON.stringify(this.resolve(list[1]));
      case 'Fn::Not':
        return !this.truth(list[0]);
      case 'Fn::And':
        return list.every((c) => this.truth(c));
      case 'Fn::Or':
        return list.some((c) => this.truth(c));
      case 'Condition':
        return this.condition(String(args));
      default:
        throw new TypeError(`condition function ${String(fn)} is not modelled`);
    }
  }

  private evaluate(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.evaluate(v)).filter((v) => v !== NO_VALUE);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      const args = arg as unknown[];
      switch (key) {
        case 'Ref':
          return arg === 'AWS::NoValue' ? NO_VALUE : this.ref(String(arg));
        case 'Fn::GetAtt':
          return this.getAtt(...((typeof arg === 'string' ? arg.split('.') : args) as [string, string]));
        case 'Fn::If':
          return this.evaluate(this.condition(String(args[0])) ? args[1] : args[2]);
        case 'Fn::Sub':
          return this.sub(...((typeof arg === 'string' ? [arg, {}] : args) as [string, Record<string, unknown>]));
        case 'Fn::Join':
          return (this.evaluate(args[1]) as unknown[]).join(String(args[0]));
        case 'Fn::Select':
          return (this.evaluate(args[1]) as unknown[])[Number(this.evaluate(args[0]))];
        case 'Fn::Split':
          return String(this.evaluate(args[1])).split(String(args[0]));
        default:
          if (key.startsWith('Fn::')) throw new TypeError(`${key} is not modelled`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = this.evaluate(v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  private sub(text: string, variables: Record<string, unknown>): string {
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_m, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      if (name in variables) return String(this.evaluate(variables[name]));
      const dot = name.indexOf('.');
      return dot > 0 && !name.startsWith('AWS::') ? this.getAtt(name.slice(0, dot), name.slice(dot + 1)) : String(this.ref(name));
    });
  }
}
