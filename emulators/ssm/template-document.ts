import { loadTemplate, type Template } from '../../scripts/template';
import type { CommandDocument } from './run-command';

/**
 * The Content of an AWS::SSM::Document in template.yaml, so that the emulator runs exactly the
 * script that would be deployed. The one intrinsic function its Content may use is `Fn::Sub` of the
 * template's parameters (the keygate document writes CimdPublishDirectory into its script), resolved
 * here as CloudFormation would: from `parameters`, else the parameter's Default. Anything else is refused.
 */
export function commandDocumentFromTemplate(logicalId = 'KeycloakCommandDocument', template: Template = loadTemplate(), parameters: Record<string, string> = {}): CommandDocument {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== 'AWS::SSM::Document') throw new TypeError(`template.yaml has no AWS::SSM::Document named ${logicalId}`);
  const content = resource.Properties?.Content;
  if (!content || typeof content !== 'object') throw new TypeError(`${logicalId}.Content must be a JSON object`);
  return resolve(content, (name) => {
    const value = parameters[name] ?? template.Parameters?.[name]?.Default;
    if (typeof value !== 'string') throw new TypeError(`${logicalId}.Content substitutes \${${name}}, which is not a template parameter with a value`);
    const pattern = template.Parameters?.[name]?.AllowedPattern;
    if (pattern && !new RegExp(pattern).test(value)) throw new TypeError(`${name} "${value}" does not match its AllowedPattern ${pattern}`);
    return value;
  }) as CommandDocument;
}

function resolve(value: unknown, parameter: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, parameter));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]![0] === 'Fn::Sub' && typeof entries[0]![1] === 'string') {
    return entries[0]![1].replace(/\$\{([^}]*)\}/g, (_, name: string) => parameter(name));
  }
  if (entries.some(([k]) => k.startsWith('Fn::') || k === 'Ref')) {
    throw new TypeError(`Command document Content may use Fn::Sub of template parameters only, not ${JSON.stringify(value).slice(0, 80)}`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, parameter)]));
}
