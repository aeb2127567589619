import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';

/**
 * What every bundle gets in place of `@aws-sdk/credential-provider-node` (template.yaml,
 * `BuildProperties.Alias`): the SDK's default credential chain cut to its first link, the
 * environment. Lambda gives a function its execution role's credentials in exactly those variables
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and the default chain tries them
 * first and stops there:
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html
 * The rest of the chain (SSO, ini files, process, web identity, container and instance metadata)
 * never runs in Lambda, yet each SDK client's runtimeConfig imports it statically: 140 KiB of every
 * bundle (the nested STS, SSO, SSO OIDC and Signin clients among it) and about 20 ms of its cold load,
 * measured with esbuild's metafile and `npm run bench` (README, Benchmarks).
 *
 * Only the bundles use it; code run from source (the unit tests, the CLI) keeps the SDK's full chain.
 * The integration tests, `keygate rehearse` and the bench run the bundles, so they sign with this.
 *
 * @example
 * new SSMClient({}) // in a bundle: credentialDefaultProvider is this defaultProvider
 */
export const defaultProvider = (init?: FromEnvInit) => fromEnv(init);
