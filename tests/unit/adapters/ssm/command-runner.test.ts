import { InternalServerError, InvalidDocument, InvalidInstanceId, InvalidParameters, MaxDocumentSizeExceeded, SendCommandCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { sendCommand } from '../../../../functions/adapters/ssm/command-runner';
import { SsmCommandRejectedError, SsmInstanceUnavailableError } from '../../../../functions/core/errors';

const ssm = mockClient(SSMClient);
beforeEach(() => ssm.reset());

const input = { documentName: 'keygate-doc', instanceId: 'i-0123456789abcdef0', parameters: { program: ['eyJ9'] } };

describe('sendCommand', () => {
  it('sends one instance, the parameters as lists, a delivery timeout', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'c1' } });
    await expect(sendCommand(input)).resolves.toEqual({ commandId: 'c1' });
    expect(ssm).toHaveReceivedCommandWith(SendCommandCommand, { DocumentName: 'keygate-doc', InstanceIds: ['i-0123456789abcdef0'], Parameters: { program: ['eyJ9'] }, TimeoutSeconds: 120 });
  });

  it('an unknown or offline instance → SsmInstanceUnavailableError naming it, with the SDK error as cause', async () => {
    const cause = new InvalidInstanceId({ $metadata: {}, message: 'Instances [[i-0123456789abcdef0]] not in a valid state' });
    ssm.on(SendCommandCommand).rejects(cause);
    const error = await sendCommand(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsmInstanceUnavailableError);
    expect(error).toMatchObject({ instanceId: 'i-0123456789abcdef0', cause });
  });

  it.each([
    [new InvalidDocument({ $metadata: {}, message: 'Document with name keygate-doc does not exist.' }), /InvalidDocument: Document with name keygate-doc does not exist\./],
    [new InvalidParameters({ $metadata: {}, message: 'Parameter "program" failed to satisfy constraint' }), /InvalidParameters/],
    [new MaxDocumentSizeExceeded({ $metadata: {}, message: 'too big' }), /MaxDocumentSizeExceeded/],
  ])('a refused command → SsmCommandRejectedError (%s)', async (cause, message) => {
    ssm.on(SendCommandCommand).rejects(cause);
    const error = await sendCommand(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsmCommandRejectedError);
    expect((error as Error).message).toMatch(message);
  });

  it('throttling and 5xx pass through unchanged for the state machine\'s Retry', async () => {
    const throttled = new SSMServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' });
    ssm.on(SendCommandCommand).rejectsOnce(throttled).rejectsOnce(new InternalServerError({ $metadata: {}, message: 'oops' }));
    await expect(sendCommand(input)).rejects.toBe(throttled);
    await expect(sendCommand(input)).rejects.toMatchObject({ name: 'InternalServerError' });
  });
});
