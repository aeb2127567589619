import { templateParameters } from '../../../cli/commands/parameters';
import { DesiredStateInvalidError } from '../../../functions/core/errors';
import { seedRaw, seedWith } from '../../support/seed';

describe('template parameters for verification', () => {
  it('derives the verify network and the canary secret parameter from the document', () => {
    expect(templateParameters(seedWith(() => undefined), seedRaw())).toMatchObject({
      VerifySubnetIds: 'subnet-0b1c2d3e4f5a60718',
      VerifySecurityGroupIds: 'sg-0e1f2a3b4c5d60718',
      CanarySecretParameterName: '/keygate/mcp-keycloak-agentcore/canary-client-secret',
      CanarySecretKmsKeyArn: '',
    });
  });

  it('leaves them empty when the document has no network and no canary', () => {
    const desired = seedWith((r) => {
      delete r.verify.network;
      delete r.keycloak.realm.canaryClient;
    });
    expect(templateParameters(desired, seedRaw())).toMatchObject({ VerifySubnetIds: '', VerifySecurityGroupIds: '', CanarySecretParameterName: '' });
  });

  it('joins several subnets and passes a KMS key', () => {
    const desired = seedWith((r) => {
      r.verify.network.subnetIds = ['subnet-0a', 'subnet-0b'];
      r.verify.canarySecretKmsKeyArn = 'arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    });
    expect(templateParameters(desired, seedRaw())).toMatchObject({ VerifySubnetIds: 'subnet-0a,subnet-0b', CanarySecretKmsKeyArn: 'arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
  });

  it('cannot be given a canary secret name without a leading slash: the loader refuses it, without echoing it', () => {
    expect(() => seedWith((r) => (r.keycloak.realm.canaryClient.secretParameter = 'keygate/canary'))).toThrow(DesiredStateInvalidError);
    expect(() => seedWith((r) => (r.keycloak.realm.canaryClient.secretParameter = 'keygate/canary'))).toThrow(/keycloak\.realm\.canaryClient\.secretParameter: must be the full name of an SSM parameter, starting with "\/"/);
    expect(() => seedWith((r) => (r.keycloak.realm.canaryClient.secretParameter = 'keygate/canary'))).not.toThrow(/keygate\/canary/);
  });
});
