import { defaultProvider } from '../../../functions/platform/lambda-credentials';

// The credential provider every bundle signs with (template.yaml BuildProperties Alias): the
// environment's credentials, as Lambda sets them for the execution role, and nothing else.
describe('lambda-credentials defaultProvider', () => {
  const keys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_PROFILE'] as const;
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  afterEach(() => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it("returns the execution role's credentials from the environment", async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-example', AWS_SESSION_TOKEN: 'token-example' });
    await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret-example', sessionToken: 'token-example' });
  });

  it('fails with the SDK\'s own error when the environment has none, even with AWS_PROFILE set (the full chain would read the profile)', async () => {
    for (const k of keys) delete process.env[k];
    process.env.AWS_PROFILE = 'default';
    await expect(defaultProvider()()).rejects.toMatchObject({ name: 'CredentialsProviderError', message: 'Unable to find environment variable credentials.' });
  });
});
