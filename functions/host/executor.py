"""keygate host executor: runs an ordered list of operations against Keycloak's admin REST API on the
host's loopback, and on files keygate owns on the host (the CIMD document), then prints one framed
JSON result. The program format is documented in functions/core/host/program.ts; TypeScript decides
what to do, this file only does it, in order, and stops at the first failure.

Secrets are named in the program ({"$secret": NAME}) and read here with `aws ssm get-parameter
--with-decryption`; they stay in this process and are scrubbed from everything it prints.
stdout: "keygate-result sha256=<hex> length=<n>" then one JSON line. stderr: progress lines.
Exit 0 ok, 2 bad program, 3 Keycloak rejected an operation, 4 Keycloak unreachable, 5 credentials,
6 a file could not be read or written.
"""
import gzip, hashlib, json, os, stat, subprocess, sys, tempfile, urllib.error, urllib.parse, urllib.request

EXIT = {'program': 2, 'rejected': 3, 'unreachable': 4, 'login': 5, 'secret': 5, 'file': 6}
# stat-file returns a file's content (JSON-escaped) up to this size; SSM keeps the first 24,000 characters of stdout.
CONTENT_LIMIT = 12000
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


def host_path(path):
    """An absolute, normalized path on the host. KEYGATE_HOST_ROOT (unset on a real host) re-roots it:
    the local SSM emulator points it at a temporary directory, so tests write where they may."""
    if not isinstance(path, str) or not path.startswith('/') or os.path.normpath(path) != path:
        raise Stop('program', f'{path!r} is not an absolute, normalized path')
    root = os.environ.get('KEYGATE_HOST_ROOT')
    return os.path.join(root, path.lstrip('/')) if root else path


def read_regular(path, label):
    """(bytes, mode) of a regular file, None when absent; anything else is not keygate's to replace."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        kind = 'a directory' if stat.S_ISDIR(st.st_mode) else 'a symbolic link' if stat.S_ISLNK(st.st_mode) else 'not a regular file'
        raise Stop('file', f'{label} is {kind}; keygate replaces only regular files it wrote', path=label, type=kind)
    with open(path, 'rb') as f:
        return f.read(), stat.S_IMODE(st.st_mode)


def write_atomically(path, data, mode):
    """Temporary file in the same directory, fsync, fixed mode, rename over the target: readers see the
    old bytes or the new ones, never a part. On any failure the temporary file goes and the target stays."""
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.', suffix='.keygate-tmp', dir=directory)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    dfd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dfd)  # the rename itself survives a crash
    finally:
        os.close(dfd)


def make_dirs(directory):
    """Missing parent directories, 0755 whatever the umask (the Command document sets 077): nginx must traverse them."""
    if not os.path.isdir(directory):
        make_dirs(os.path.dirname(directory))
        os.mkdir(directory)
        os.chmod(directory, 0o755)


def file_error(op, e):
    return Stop('file', f"{op.get('label') or op['op'] + ' ' + op['path']}: {e.strerror or e}", path=op['path'], errno=e.errno)


def op_stat_file(kc, op, results):
    try:
        found = read_regular(host_path(op['path']), op['path'])
    except Stop as stop:  # a directory or link where the file belongs: reported, not fatal to an observation
        results[op['id']] = {'exists': True, 'conflict': stop.error['type']}
        return
    except OSError as e:
        raise file_error(op, e)
    if found is None:
        results[op['id']] = {'exists': False}
        return
    data, mode = found
    digest = hashlib.sha256(data).hexdigest()
    out = {'exists': True, 'sha256': digest, 'bytes': len(data), 'mode': f'{mode:04o}'}
    text = data.decode('utf-8', 'replace')
    # The content only when it differs, and only while it keeps the output far below SSM's 24,000 characters.
    if digest != op.get('expectSha256') and len(json.dumps(text)) <= CONTENT_LIMIT:
        out['content'] = text
    results[op['id']] = out


def op_write_file(kc, op, results):
    path, data = host_path(op['path']), op['content'].encode('utf-8')
    if hashlib.sha256(data).hexdigest() != op['sha256']:
        raise Stop('program', f"{op['label']}: content does not hash to {op['sha256']}")
    previous = host_path(op['previous']) if op.get('previous') else None
    try:
        old = read_regular(path, op['path'])
        if previous:
            read_regular(previous, op['previous'])  # refuse before writing anything
        make_dirs(os.path.dirname(path))
        if old is not None and previous and old[0] != data:
            write_atomically(previous, old[0], 0o600)  # one rollback copy, not served (0600, owner only)
        write_atomically(path, data, int(op['mode'], 8))
    except OSError as e:
        raise file_error(op, e)


OPERATIONS = {'get': op_get, 'send': op_send, 'merge-list': op_merge_list, 'merge-object': op_merge_object,
              'stat-file': op_stat_file, 'write-file': op_write_file}


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
            if op['op'] not in ('get', 'stat-file'):
                print(f"keygate: {done}/{len(program['ops'])} {op['label']}", file=sys.stderr)
    except Stop as stop:
        emit(EXIT[stop.error['kind']], {'ok': False, 'done': done, 'error': stop.error})
    except Exception as e:  # a bug or an unexpected answer: still one framed, scrubbed result
        emit(EXIT['program'], {'ok': False, 'done': done, 'error': {'kind': 'program', 'message': f'{type(e).__name__}: {e}'[:600]}})
    emit(0, {'ok': True, 'done': done, 'results': results})


if __name__ == '__main__':
    main()
