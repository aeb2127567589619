import { loadTemplate, type Template } from '../../scripts/template';
import type { CommandDocument } from './run-command';

/**
 * The Content of an AWS::SSM::Document in template.yaml, so that the emulator runs exactly the
 * script that would be deployed (the keygate document has no intrinsic functions in its Content).
 */
export function commandDocumentFromTemplate(logicalId = 'KeycloakCommandDocument', template: Template = loadTemplate()): CommandDocument {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== 'AWS::SSM::Document') throw new TypeError(`template.yaml has no AWS::SSM::Document named ${logicalId}`);
  const content = resource.Properties?.Content;
  if (!content || typeof content !== 'object' || JSON.stringify(content).includes('"Fn::')) {
    throw new TypeError(`${logicalId}.Content must be a literal JSON object (no intrinsic functions) for the emulator to run it`);
  }
  return structuredClone(content) as CommandDocument;
}
