"""keygate host executor: runs an ordered list of operations against Keycloak's admin REST API on the
host's loopback, then prints one framed JSON result. The program format is documented in
functions/core/host/program.ts; TypeScript decides what to do, this file only does it, in order,
and stops at the first failure.

Secrets are named in the program ({"$secret": NAME}) and read here with `aws ssm get-parameter
--with-decryption`; they stay in this process and are scrubbed from everything it prints.
stdout: "keygate-result sha256=<hex> length=<n>" then one JSON line. stderr: progress lines.
Exit 0 ok, 2 bad program, 3 Keycloak rejected an operation, 4 Keycloak unreachable, 5 credentials.
"""
import gzip, hashlib, json, subprocess, sys, urllib.error, urllib.parse, urllib.request

EXIT = {'program': 2, 'rejected': 3, 'unreachable': 4, 'login': 5, 'secret': 5}
SECRETS = {}
# No proxies: the admin API is on loopback, and an http_proxy variable on the host must not see it.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Stop(Exception):
    def __init__(self, kind, message, **more):
        super().__init__(message)
        self.error = {'kind': kind, 'message': message, **more}


def secret(name, region):
    if name not in SECRETS:
        cmd = ['aws', 'ssm', 'get-parameter', '--name', name, '--with-decryption', '--output', 'json']
        done = subprocess.run(cmd + (['--region', region] if region else []), capture_output=True, text=True)
        if done.returncode != 0:
            raise Stop('secret', f'cannot read SSM parameter {name}: {done.stderr.strip()[-300:]}')
        SECRETS[name] = json.loads(done.stdout)['Parameter']['Value']
    return SECRETS[name]


def http(method, url, token=None, body=None, form=None):
    headers, data = {'Accept': 'application/json'}, None
    if form is not None:
        data, headers['Content-Type'] = urllib.parse.urlencode(form).encode(), 'application/x-www-form-urlencoded'
    elif body is not None:
        data, headers['Content-Type'] = json.dumps(body).encode(), 'application/json'
    if token:
        headers['Authorization'] = 'Bearer ' + token
    try:
        with OPENER.open(urllib.request.Request(url, data=data, method=method, headers=headers), timeout=30) as r:
            return r.status, r.read().decode('utf-8', 'replace'), r.headers.get('Location') or ''
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode('utf-8', 'replace'), ''
    except (urllib.error.URLError, OSError) as e:
        raise Stop('unreachable', f'{method} {url.split("?")[0]}: {getattr(e, "reason", e)}')


class Keycloak:
    def __init__(self, program):
        # `admin` is needed only by programs that call Keycloak; it logs in on the first call.
        self.admin, self.region = program.get('admin') or {}, program.get('region')
        self.base, self.token, self.vars = self.admin.get('url', '').rstrip('/'), None, {}

    def login(self):
        a = self.admin
        status, text, _ = http('POST', f"{self.base}/realms/{quote(a['realm'])}/protocol/openid-connect/token", form={
            'grant_type': 'password', 'client_id': 'admin-cli', 'username': a['username'],
            'password': secret(a['passwordParameter'], self.region)})
        if status != 200:
            raise Stop('login', f"admin login as {a['username']} (realm {a['realm']}) failed: HTTP {status} {text[:300]}")
        self.token = json.loads(text)['access_token']

    def call(self, method, path, query=None, body=None):
        url = self.base + '/' + '/'.join(quote(s) for s in path) + ('?' + urllib.parse.urlencode(query) if query else '')
        for attempt in (1, 2):  # admin tokens of the master realm live 60 s: log in again once on 401
            if self.token is None:
                self.login()
            status, text, location = http(method, url, self.token, body)
            if status != 401 or attempt == 2:
                return status, text, location
            self.token = None

    def path(self, segments, optional=False):
        out = []
        for s in segments:
            if isinstance(s, dict) and s['$var'] not in self.vars:
                if optional:
                    return None  # depends on an object that does not exist
                raise Stop('program', f"variable {s['$var']} is not bound")
            out.append(self.vars[s['$var']] if isinstance(s, dict) else s)
        return out

    def resolve(self, v):
        if isinstance(v, dict) and len(v) == 1 and next(iter(v)) in ('$secret', '$var', '$json'):
            key, arg = next(iter(v.items()))
            return secret(arg, self.region) if key == '$secret' else self.path([v])[0] if key == '$var' else \
                json.dumps(self.resolve(arg), separators=(',', ':'))
        if isinstance(v, dict):
            return {k: self.resolve(x) for k, x in v.items()}
        return [self.resolve(x) for x in v] if isinstance(v, list) else v


def quote(segment):
    return urllib.parse.quote(segment, safe='')


def check(op, status, text):
    if status >= 300:
        raise Stop('rejected', f"{op.get('label', op['op'])}: HTTP {status}", label=op.get('label'), status=status, body=text[:600])


def pick(obj, paths):
    if not paths or not isinstance(obj, dict):
        return obj
    out = {}
    for p in paths:
        src, dst = obj, out
        for key in p[:-1]:
            src, dst = (src or {}).get(key), dst.setdefault(key, {})
        if isinstance(src, dict) and p[-1] in src:
            dst[p[-1]] = src[p[-1]]
    return out


def op_get(kc, op, results):
    path = kc.path(op['path'], optional=True)
    status, text, _ = kc.call('GET', path, op.get('query')) if path is not None else (404, '', '')
    if status in op.get('absent', []) or path is None:
        results[op['id']] = None
        return
    check(op, status, text)
    value = json.loads(text)
    value = (value.get(op['list']) or []) if op.get('list') else value
    items = value if isinstance(value, list) else [value]
    if op.get('select'):
        field, wanted = op['select']['field'], op['select']['in']
        others = [i.get(field) for i in items if i.get(field) not in wanted]
        items = [i for i in items if i.get(field) in wanted]
    if op.get('bind') and items and op['bind']['field'] in items[0]:
        kc.vars[op['bind']['var']] = items[0][op['bind']['field']]
    items = [pick(i, op.get('pick')) for i in items]
    results[op['id']] = {'items': items, 'others': others} if op.get('select') else items if isinstance(value, list) else items[0]


def op_send(kc, op, results):
    status, text, location = kc.call(op['method'], kc.path(op['path']), op.get('query'), kc.resolve(op['body']) if 'body' in op else None)
    if status in op.get('absent', []):
        return
    check(op, status, text)
    if op.get('bind'):
        if not location:
            raise Stop('program', f"{op['label']}: no Location header to bind {op['bind']}")
        kc.vars[op['bind']] = location.rstrip('/').rsplit('/', 1)[-1]


def op_merge_list(kc, op, results):
    path = kc.path(op['path'])
    status, text, _ = kc.call('GET', path)
    check(op, status, text)
    upsert = {e['name']: e for e in kc.resolve(op['upsert'])}
    merged = [upsert.pop(e.get('name'), e) for e in json.loads(text).get(op['key']) or [] if e.get('name') not in op['remove']]
    check(op, *kc.call('PUT', path, None, {op['key']: merged + list(upsert.values())})[:2])


def op_merge_object(kc, op, results):
    path = kc.path(op['path'])
    status, text, _ = kc.call('GET', path)
    check(op, status, text)
    doc = json.loads(text)
    (doc.setdefault(op['key'], {}) if op.get('key') else doc).update(kc.resolve(op['set']))
    for key in op.get('drop', []):
        doc.pop(key, None)
    check(op, *kc.call('PUT', path, None, doc)[:2])


OPERATIONS = {'get': op_get, 'send': op_send, 'merge-list': op_merge_list, 'merge-object': op_merge_object}


def scrub(v):
    if isinstance(v, str):
        for s in SECRETS.values():
            v = v.replace(s, '***') if s else v
        return v
    if isinstance(v, dict):
        return {k: scrub(x) for k, x in v.items()}
    return [scrub(x) for x in v] if isinstance(v, list) else v


def emit(code, result):
    text = json.dumps(scrub(result), separators=(',', ':'), ensure_ascii=True)
    sys.stdout.write(f'keygate-result sha256={hashlib.sha256(text.encode()).hexdigest()} length={len(text)}\n{text}\n')
    sys.exit(code)


def main():
    done, results = 0, {}
    try:
        program = json.loads(gzip.decompress(open(sys.argv[1], 'rb').read()))
        if program.get('version') != 1:
            raise Stop('program', f"unsupported program version {program.get('version')!r}")
        kc = Keycloak(program)
        for index, op in enumerate(program['ops']):
            if op.get('op') not in OPERATIONS:
                raise Stop('program', f"operation {index}: unknown kind {op.get('op')!r}")
            try:
                OPERATIONS[op['op']](kc, op, results)
            except Stop as stop:
                stop.error.setdefault('index', index)
                raise
            done += 1
            if op['op'] != 'get':
                print(f"keygate: {done}/{len(program['ops'])} {op['label']}", file=sys.stderr)
    except Stop as stop:
        emit(EXIT[stop.error['kind']], {'ok': False, 'done': done, 'error': stop.error})
    except Exception as e:  # a bug or an unexpected answer: still one framed, scrubbed result
        emit(EXIT['program'], {'ok': False, 'done': done, 'error': {'kind': 'program', 'message': f'{type(e).__name__}: {e}'[:600]}})
    emit(0, {'ok': True, 'done': done, 'results': results})


if __name__ == '__main__':
    main()
