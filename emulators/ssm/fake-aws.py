"""A stand-in for the AWS CLI v2 on the emulated Keycloak host: only what keygate's host scripts call,
`aws ssm get-parameter --name N [--with-decryption] [--region R] [--query Parameter.Value] [--output json|text]`.
It talks to the SSM emulator at $AWS_ENDPOINT_URL_SSM over the same awsJson1_1 wire as the real CLI,
prints what the real CLI prints, and exits 254 with "An error occurred (Code) ..." on a service error.
"""
import json, os, sys, urllib.error, urllib.request


def fail(message, code=252):
    print(message, file=sys.stderr)
    sys.exit(code)


def main(argv):
    if argv[:2] != ['ssm', 'get-parameter']:
        fail(f"aws: the emulator's CLI supports only `ssm get-parameter`, not {' '.join(argv[:2])}")
    opts, i = {}, 2
    while i < len(argv):
        key = argv[i]
        if key == '--with-decryption':
            opts['decrypt'] = True
            i += 1
        elif key in ('--name', '--region', '--query', '--output'):
            opts[key[2:]] = argv[i + 1]
            i += 2
        else:
            fail(f'aws: error: unrecognized arguments: {key}')
    if 'name' not in opts:
        fail('aws: error: the following arguments are required: --name')
    region = opts.get('region') or os.environ.get('AWS_REGION') or os.environ.get('AWS_DEFAULT_REGION')
    if not region:
        fail('You must specify a region. You can also configure your region by running "aws configure".', 253)
    body = json.dumps({'Name': opts['name'], 'WithDecryption': opts.get('decrypt', False)}).encode()
    request = urllib.request.Request(os.environ['AWS_ENDPOINT_URL_SSM'], data=body, method='POST', headers={
        'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AmazonSSM.GetParameter', 'User-Agent': 'aws-cli/2 (keygate emulator host)',
        'Authorization': f'AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEHOST/20260101/{region}/ssm/aws4_request, SignedHeaders=host, Signature=0'})
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as r:
            result = json.loads(r.read())
    except urllib.error.HTTPError as e:
        error = json.loads(e.read() or b'{}')
        fail(f"\nAn error occurred ({error.get('__type', 'Unknown')}) when calling the GetParameter operation: {error.get('message', '')}", 254)
    value = result['Parameter']['Value'] if opts.get('query') == 'Parameter.Value' else result
    if opts.get('output') == 'text':
        print(value if isinstance(value, str) else json.dumps(value))
    else:
        print(json.dumps(value, indent=4))


main(sys.argv[1:])
