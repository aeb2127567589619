"""keygate host executor: runs an ordered list of operations against Keycloak's admin REST API on the
host's loopback, and on files keygate owns on the host (the CIMD document), then prints one framed
JSON result. The program format is documented in functions/core/host/program.ts; TypeScript decides
what to do, this file only does it, in order, and stops at the first failure.

Secrets are named in the program ({"$secret": NAME}) and read here with `aws ssm get-parameter
--with-decryption`; they stay in this process and are scrubbed from everything it prints.
stdout: "keygate-result sha256=<hex> length=<n>" then one JSON line. stderr: progress lines.
Exit 0 ok, 2 bad program, 3 Keycloak rejected an operation, 4 Keycloak unreachable, 5 credentials,
6 a file could not be read or written.

argv: the program file, then the one directory file operations may touch (the stack's
CimdPublishDirectory, written into the Command document by CloudFormation, never chosen by the
program). Without it, every file operation is refused.

Leftovers: a command killed part-way (SIGKILL at the document's timeoutSeconds, a process-group kill,
the out-of-memory killer) runs no cleanup, neither bash's EXIT trap nor ours. So every command first
looks for keygate's own leftovers older than STALE_AFTER_SECONDS, recognised by fixed names: work
directories `keygate-host.XXXXXXXXXX` of the Command document in this one's temporary directory, and
temporary files of a CIMD write next to the files the program names. It removes them, or with
`"leftovers": "report"` (a drift report, which changes nothing) only lists them.
"""
import errno, gzip, hashlib, json, os, re, stat, subprocess, sys, time, urllib.error, urllib.parse, urllib.request

EXIT = {'program': 2, 'rejected': 3, 'unreachable': 4, 'login': 5, 'secret': 5, 'file': 6}
# stat-file returns a file's content (JSON-escaped) up to this size; SSM keeps the first 24,000 characters of stdout.
CONTENT_LIMIT = 12000
# A file is kept in memory up to this size (the rest is only hashed): a keygate CIMD document is at most
# 5,000 bytes (lint cimd-document-too-large), so a larger file is never one, whatever it holds.
KEEP_LIMIT = 65536
# The directory file operations are confined to (argv[2]); None: no file operation may run.
PUBLISH_DIR = None
SECRETS = {}
# Older than this, a leftover belongs to no running command: the Command document's timeoutSeconds
# (600) plus a minute for the agent (tests/unit/template/command-document.test.ts keeps them in step).
STALE_AFTER_SECONDS = 660
# The Command document's work directory (mktemp -d -t keygate-host.XXXXXXXXXX) and what it writes there.
WORK_DIR = re.compile(r'keygate-host\.[A-Za-z0-9]{10}')
WORK_FILES = {'executor.py', 'program.json.gz'}
# Temporary files of an atomic write live in this directory beside the target (0700, keygate's own): a
# web server serving the target's directory cannot read them, and the rename stays on one file system.
STAGING = '.keygate-staging'
STAGED = re.compile(r'(?P<name>.+)\.[0-9a-f]{12}\.keygate-tmp')
# Before the staging directory, temporary files were written beside the target itself (mode 0644).
BESIDE = re.compile(r'\.(?P<name>.+)\.[0-9a-f]{12}\.keygate-tmp')
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
    except urllib.error.URLError as e:  # while connecting or sending: Keycloak never got the whole request
        raise Stop('unreachable', f'{method} {url.split("?")[0]}: {e.reason}', sent=False)
    except OSError as e:  # sent, then the answer never came (a reset, a timeout): Keycloak may have carried it out
        raise Stop('unreachable', f'{method} {url.split("?")[0]}: {e or type(e).__name__} (sent, no answer)', sent=True)


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
                try:
                    self.login()
                except Stop as stop:  # the write itself was never sent
                    stop.error.pop('sent', None)
                    raise
            try:
                status, text, location = http(method, url, self.token, body)
            except Stop as stop:
                # Whether a write whose answer was lost may have landed: the message must not say "nothing changed".
                if stop.error.pop('sent', False) and method != 'GET':
                    stop.error['landed'] = 'maybe'
                raise
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
    """An absolute, normalized path on the host, checked; refused before anything is read."""
    if not isinstance(path, str) or not path.startswith('/') or os.path.normpath(path) != path or path == '/':
        raise Stop('program', f'{path!r} is not an absolute, normalized path')
    return path


def confined(path):
    """`path`, checked to lie strictly inside the publish directory (as written: no link is followed on
    the way, see open_parent, so what is inside by name is inside on disk); refused before anything is read."""
    path = host_path(path)
    if PUBLISH_DIR is None:
        raise Stop('file', f'{path}: the Command document names no CIMD publish directory, so keygate touches no file on the host '
                           '(deploy the template and the functions together)', path=path, type='no publish directory')
    if not path.startswith(PUBLISH_DIR + '/'):
        raise Stop('file', f'{path} is outside {PUBLISH_DIR}, the only directory this stack may publish under (template parameter '
                           f'CimdPublishDirectory): set cimd.publish.host.path under {PUBLISH_DIR}, or deploy the stack with '
                           'CimdPublishDirectory naming the web root', path=path, type='outside the publish directory')
    return path


# Files are reached one component at a time from the host root, each opened relative to its parent's
# descriptor with O_NOFOLLOW: a symbolic link anywhere on the path is refused, never followed, and no
# check-then-open gap lets one be swapped in (this runs as root). https://man7.org/linux/man-pages/man2/openat.2.html
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC  # O_NONBLOCK: a FIFO must not hang us
LINK_FIX = 'replace the link with a real directory, or point cimd.publish.host.path at the real path'


def root_fd():
    """The host's / (KEYGATE_HOST_ROOT, unset on a real host, re-roots it: the local SSM emulator points
    it at a temporary directory, so tests write where they may). The root itself is trusted as given."""
    return os.open(os.environ.get('KEYGATE_HOST_ROOT') or '/', os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def open_dir(dfd, name, shown, path):
    """The directory `name` in `dfd`, never through a link: a link is refused, naming it and the fix."""
    try:
        return os.open(name, DIR_FLAGS, dir_fd=dfd)
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENOTDIR) and stat.S_ISLNK(os.stat(name, dir_fd=dfd, follow_symlinks=False).st_mode):
            raise Stop('file', f'{shown} is a symbolic link; keygate never follows a link on the way to {path}: {LINK_FIX}',
                       path=path, link=shown, type='a symbolic link')
        raise


def open_parent(path, create=False):
    """A descriptor of the directory holding `path`, None when a directory on the way is missing; with
    `create`, missing directories below the publish directory are made 0755 whatever the umask (the
    Command document sets 077): nginx must traverse them. The publish directory itself and everything
    above it are never made, and existing directories are never changed."""
    names = path.split('/')[1:-1]
    fd = root_fd()
    try:
        for i, name in enumerate(names):
            shown = '/' + '/'.join(names[:i + 1])
            try:
                child = open_dir(fd, name, shown, path)
            except FileNotFoundError:
                if not create:
                    return None
                if len(shown) <= len(PUBLISH_DIR):
                    raise Stop('file', f'{shown} does not exist on the host: keygate publishes under {PUBLISH_DIR} (template parameter '
                                       'CimdPublishDirectory) but never creates it; create the web root, or deploy the stack with '
                                       'CimdPublishDirectory naming the existing one', path=path, type='a missing publish directory')
                try:
                    os.mkdir(name, 0o755, dir_fd=fd)
                    made = True
                except FileExistsError:  # made meanwhile by someone else: opened (and checked) as it is
                    made = False
                child = open_dir(fd, name, shown, path)
                if made:
                    os.fchmod(child, 0o755)
            os.close(fd)
            fd = child
        fd, found = None, fd
        return found
    finally:
        if fd is not None:
            os.close(fd)


def refuse(mode, label):
    """Anything but a regular file is not keygate's to replace."""
    if not stat.S_ISREG(mode):
        kind = 'a directory' if stat.S_ISDIR(mode) else 'a symbolic link' if stat.S_ISLNK(mode) else 'not a regular file'
        raise Stop('file', f'{label} is {kind}; keygate replaces only regular files it wrote', path=label, type=kind)


class Found:
    """A regular file as read: its bytes (None when over KEEP_LIMIT: then only hashed), size, SHA-256, mode."""
    def __init__(self, data, size, sha256, mode):
        self.data, self.size, self.sha256, self.mode = data, size, sha256, mode


def read_regular(dfd, label):
    """The regular file `label` in the directory `dfd` as a Found, None when absent. What is read is what
    was opened (fstat of the descriptor), and the open itself refuses a link."""
    if dfd is None:
        return None
    name = os.path.basename(label)
    try:
        fd = os.open(name, READ_FLAGS, dir_fd=dfd)
    except FileNotFoundError:
        return None
    except OSError:  # a link (ELOOP), a socket (ENXIO), …: named as what it is
        refuse(os.stat(name, dir_fd=dfd, follow_symlinks=False).st_mode, label)
        raise
    try:
        st = os.fstat(fd)
        refuse(st.st_mode, label)
        # keygate writes by rename, so its files have one link. A second hard link means the name was made
        # to point at another file's inode (say one only root may read): its content must not be read into
        # command output or copied to .previous. (fs.protected_hardlinks stops most of this; not all hosts set it.)
        # https://man7.org/linux/man-pages/man5/proc_sys_fs.5.html
        if st.st_nlink > 1:
            raise Stop('file', f'{label} has {st.st_nlink} hard links; keygate reads and replaces only files it wrote (one link): remove the file, keygate publishes it again',
                       path=label, type='a file with more than one hard link')
        digest, chunks, size = hashlib.sha256(), [], 0
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return Found(b''.join(chunks) if size <= KEEP_LIMIT else None, size, digest.hexdigest(), stat.S_IMODE(st.st_mode))
            digest.update(chunk)
            size += len(chunk)
            if size <= KEEP_LIMIT:
                chunks.append(chunk)
    finally:
        os.close(fd)


def client_id_of(data):
    """The client_id of a CIMD document (UTF-8 JSON object with a string client_id), else None."""
    if data is None:
        return None
    try:
        doc = json.loads(data.decode('utf-8'))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    client_id = doc.get('client_id') if isinstance(doc, dict) else None
    return client_id if isinstance(client_id, str) else None


def is_keygate_document(found, client_id):
    """Whether `found` is a CIMD document keygate publishes (perhaps edited by hand since): a JSON object
    whose client_id is the one keygate writes there. Anything else is foreign: never read out, never
    replaced, never copied."""
    return client_id is not None and client_id_of(found.data) == client_id


def not_keygate(label, found):
    """How a foreign file is named in output: its size and hash, never a byte of it."""
    return f'{label} is not a keygate CIMD document ({found.size} bytes, sha256 {found.sha256})'


def staging_dir(dfd, where):
    """The staging directory beside a target (made 0700 when missing). One that is not keygate's (a link,
    not a directory, another owner, open to others) is refused: a temporary file there could be read."""
    shown = f'{where}/{STAGING}'
    try:
        os.mkdir(STAGING, 0o700, dir_fd=dfd)
    except FileExistsError:
        pass
    sfd = open_dir(dfd, STAGING, shown, shown)
    st = os.fstat(sfd)
    if st.st_uid != os.geteuid() or stat.S_IMODE(st.st_mode) & 0o077:
        os.close(sfd)
        raise Stop('file', f'{shown} is not keygate\'s staging directory (owner uid {st.st_uid}, mode {stat.S_IMODE(st.st_mode):04o}; keygate makes it '
                           f'0700 as uid {os.geteuid()}): remove it, keygate makes it again', path=shown, type='a foreign staging directory')
    return sfd


def create_temporary(sfd, name):
    """A new temporary file for `name` in the staging directory, 0600 until its content is complete."""
    for _ in range(100):
        tmp = f'{name}.{os.urandom(6).hex()}.keygate-tmp'
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=sfd)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, 'no unused temporary file name', name)


def write_atomically(dfd, name, data, mode, where):
    """Temporary file in the staging directory beside the target, fsync, fixed mode, rename over the
    target, all relative to directory descriptors: readers see the old bytes or the new ones, never a
    part, and never the temporary file (its directory is 0700). On any failure the temporary file goes
    and the target stays; a kill leaves it for a later command's sweep (see the module's docstring)."""
    for _ in range(3):
        sfd = None
        try:
            sfd = staging_dir(dfd, where)
            tmp, fd = create_temporary(sfd, name)
            break
        except FileNotFoundError:  # another keygate write removed the (empty) staging directory meanwhile: make it again
            if sfd is not None:
                os.close(sfd)
        except BaseException:
            if sfd is not None:
                os.close(sfd)
            raise
    else:
        raise FileNotFoundError(errno.ENOENT, 'the staging directory keeps disappearing', f'{where}/{STAGING}')
    try:
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(data)
                f.flush()
                os.fchmod(f.fileno(), mode)
                os.fsync(f.fileno())
            os.replace(tmp, name, src_dir_fd=sfd, dst_dir_fd=dfd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=sfd)
            except OSError:
                pass
            raise
        os.fsync(dfd)  # the rename itself survives a crash
    finally:
        os.close(sfd)
        try:
            os.rmdir(STAGING, dir_fd=dfd)
        except OSError:  # not empty: another write is under way in it
            pass


def file_error(op, e):
    return Stop('file', f"{op.get('label') or op['op'] + ' ' + op['path']}: {e.strerror or e}", path=op['path'], errno=e.errno)


def op_stat_file(kc, op, results):
    path, dfd = confined(op['path']), None
    try:
        dfd = open_parent(path)
        found = read_regular(dfd, path)
    except Stop as stop:  # a directory or link where the file belongs, or a link on the way: reported, not fatal to an observation
        e = stop.error
        results[op['id']] = {'exists': True, 'conflict': f"{e['type']} at {e['link']} on the way to {path} ({LINK_FIX})" if 'link' in e else e['type']}
        return
    except OSError as e:
        raise file_error(op, e)
    finally:
        if dfd is not None:
            os.close(dfd)
    if found is None:
        results[op['id']] = {'exists': False}
        return
    out = {'exists': True, 'sha256': found.sha256, 'bytes': found.size, 'mode': f'{found.mode:04o}'}
    if not is_keygate_document(found, op.get('clientId')):
        out['foreign'] = True  # hash, size and mode only: what is not keygate's stays on the host
    elif found.sha256 != op.get('expectSha256'):
        # The content only when it differs, and only while it keeps the output far below SSM's 24,000 characters.
        text = found.data.decode('utf-8')
        if len(json.dumps(text)) <= CONTENT_LIMIT:
            out['content'] = text
    results[op['id']] = out


def op_write_file(kc, op, results):
    path, data = confined(op['path']), op['content'].encode('utf-8')
    if hashlib.sha256(data).hexdigest() != op['sha256']:
        raise Stop('program', f"{op['label']}: content does not hash to {op['sha256']}")
    client_id = client_id_of(data)
    if client_id is None:
        raise Stop('program', f"{op['label']}: the content is not a CIMD document (a JSON object with a client_id)")
    previous = confined(op['previous']) if op.get('previous') else None
    fds = []
    def track(fd):
        if fd is not None:
            fds.append(fd)
        return fd
    def refuse_foreign(label, found):
        if found is not None and not is_keygate_document(found, client_id):
            raise Stop('file', f'{not_keygate(label, found)}; keygate replaces only the document it publishes there (a JSON object with '
                               f'client_id {client_id}): move the file away, or publish to another path under {PUBLISH_DIR}',
                       path=label, type='not a keygate CIMD document')
    try:
        dfd = track(open_parent(path))
        old = read_regular(dfd, path)
        refuse_foreign(path, old)
        pdfd = track(open_parent(previous)) if previous else None
        if previous:
            refuse_foreign(previous, read_regular(pdfd, previous))  # refuse before writing anything
        if dfd is None:
            dfd = track(open_parent(path, create=True))
        if old is not None and previous and old.data != data:
            if pdfd is None:
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.path.dirname(previous))
            write_atomically(pdfd, os.path.basename(previous), old.data, 0o600, os.path.dirname(previous))  # one rollback copy, not served (0600, owner only)
        write_atomically(dfd, os.path.basename(path), data, int(op['mode'], 8), os.path.dirname(path))
    except OSError as e:
        raise file_error(op, e)
    finally:
        for fd in fds:
            os.close(fd)


OPERATIONS = {'get': op_get, 'send': op_send, 'merge-list': op_merge_list, 'merge-object': op_merge_object,
              'stat-file': op_stat_file, 'write-file': op_write_file}


def stale(st, now):
    """Age in seconds of a leftover keygate could have left (its own, owned by the user keygate runs as), else None."""
    age = now - st.st_mtime
    return int(age) if st.st_uid == os.geteuid() and age > STALE_AFTER_SECONDS else None


def sweep_files(dfd, where, names, pattern, now, remove):
    """Stale temporary files in `dfd` matching `pattern` for one of `names` (None: any): regular files with one link only."""
    found = []
    for entry in sorted(os.listdir(dfd)):
        m = pattern.fullmatch(entry)
        if not m or (names is not None and m['name'] not in names):
            continue
        try:
            st = os.stat(entry, dir_fd=dfd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        age = stale(st, now) if stat.S_ISREG(st.st_mode) and st.st_nlink == 1 else None
        if age is None:
            continue
        removed = False
        if remove:
            try:
                os.unlink(entry, dir_fd=dfd)
                removed = True
            except FileNotFoundError:
                continue  # removed meanwhile by another command
            except OSError:
                pass
        found.append({'path': f'{where}/{entry}', 'kind': 'temporary file', 'bytes': st.st_size, 'ageSeconds': age, 'removed': removed})
    return found


def sweep_beside(path, now, remove):
    """Temporary files of writes to `path` that never reached their rename: in the staging directory
    beside it (the directory too, once empty and stale), and, from executors before it, beside the file."""
    dfd = open_parent(path)
    if dfd is None:
        return []
    where, names = os.path.dirname(path), {os.path.basename(path)}
    try:
        found = sweep_files(dfd, where, names, BESIDE, now, remove)
        try:
            sfd = os.open(STAGING, DIR_FLAGS, dir_fd=dfd)
        except OSError:  # none (or not a directory: write-file names it then)
            return found
        try:
            st = os.fstat(sfd)
            if st.st_uid == os.geteuid() and not stat.S_IMODE(st.st_mode) & 0o077:
                found += sweep_files(sfd, f'{where}/{STAGING}', None, STAGED, now, remove)  # all of it is keygate's
        finally:
            os.close(sfd)
        if remove and stale(st, now) is not None:
            try:
                os.rmdir(STAGING, dir_fd=dfd)
            except OSError:
                pass
        return found
    finally:
        os.close(dfd)


def work_dir_entries(pfd, name, seen):
    """What a work directory holds, when that is only what the Command document writes (regular files),
    and it is still the directory looked at; None otherwise (then it is not keygate's to touch)."""
    try:
        wfd = os.open(name, DIR_FLAGS, dir_fd=pfd)
    except OSError:
        return None
    try:
        st = os.fstat(wfd)
        entries = os.listdir(wfd)
        if (st.st_dev, st.st_ino) != (seen.st_dev, seen.st_ino) or not set(entries) <= WORK_FILES:
            return None
        if not all(stat.S_ISREG(os.stat(e, dir_fd=wfd, follow_symlinks=False).st_mode) for e in entries):
            return None
        return entries
    except OSError:
        return None
    finally:
        os.close(wfd)


def remove_work_dir(pfd, name, entries):
    try:
        wfd = os.open(name, DIR_FLAGS, dir_fd=pfd)
        try:
            for entry in entries:
                os.unlink(entry, dir_fd=wfd)
        finally:
            os.close(wfd)
        os.rmdir(name, dir_fd=pfd)
        return True
    except OSError:
        return False


def sweep_work_dirs(now, remove):
    """Stale work directories of earlier commands beside this one's (only when this one runs from such a directory)."""
    own = os.path.dirname(os.path.abspath(sys.argv[1]))
    if not WORK_DIR.fullmatch(os.path.basename(own)):
        return []
    parent, found = os.path.dirname(own), []
    pfd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for entry in sorted(os.listdir(pfd)):
            if entry == os.path.basename(own) or not WORK_DIR.fullmatch(entry):
                continue
            try:
                st = os.stat(entry, dir_fd=pfd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            # mktemp -d makes it 0700; anything else (a link, a file, open to others) is not the document's.
            age = stale(st, now) if stat.S_ISDIR(st.st_mode) and not stat.S_IMODE(st.st_mode) & 0o077 else None
            entries = work_dir_entries(pfd, entry, st) if age is not None else None
            if entries is not None:
                found.append({'path': f'{parent}/{entry}', 'kind': 'work directory', 'ageSeconds': age, 'removed': remove and remove_work_dir(pfd, entry, entries)})
    finally:
        os.close(pfd)
    return found


def file_paths(program):
    """The files the program names (stat-file and write-file paths, rollback copies) that lie in the publish directory."""
    paths = []
    for op in program.get('ops', []):
        for key in ('path', 'previous') if op.get('op') in ('stat-file', 'write-file') else ():
            try:
                if op.get(key) and confined(op[key]) not in paths:
                    paths.append(op[key])
            except Stop:
                pass  # the operation itself reports it
    return paths


def sweep(program):
    """Keygate's leftovers older than STALE_AFTER_SECONDS: removed, or only listed with "leftovers": "report".
    Never fatal: a leftover that cannot be looked at is left for the next command."""
    now, remove = time.time(), program.get('leftovers', 'remove') != 'report'
    found = []
    for look in [lambda: sweep_work_dirs(now, remove)] + [lambda p=p: sweep_beside(p, now, remove) for p in file_paths(program)]:
        try:
            found += look()
        except (OSError, Stop):
            pass
    if found:
        print(f"keygate: {'removed' if remove else 'found'} {len(found)} leftover{'s' if len(found) != 1 else ''} of earlier commands", file=sys.stderr)
    return found


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


def publish_dir(argv):
    """The publish directory the Command document passes (argv[2]), checked; None when it passes none."""
    if len(argv) < 3:
        return None
    given = argv[2]
    if not given.startswith('/') or os.path.normpath(given) != given or given == '/':
        raise Stop('program', f'the CIMD publish directory {given!r} is not an absolute, normalized path other than /')
    return given


READS = ('get', 'stat-file')


def main():
    global PUBLISH_DIR
    done, results, extra, progress = 0, {}, {}, {'applied': 0, 'writes': 0}
    try:
        PUBLISH_DIR = publish_dir(sys.argv)
        program = json.loads(gzip.decompress(open(sys.argv[1], 'rb').read()))
        if program.get('version') != 1:
            raise Stop('program', f"unsupported program version {program.get('version')!r}")
        if program.get('leftovers', 'remove') not in ('remove', 'report'):
            raise Stop('program', f"leftovers must be \"remove\" or \"report\", not {program.get('leftovers')!r}")
        leftovers = sweep(program)
        if leftovers:
            extra['leftovers'] = leftovers
        kc = Keycloak(program)
        # How many writes the program has, and how many completed: a failure says how far an apply got.
        progress['writes'] = sum(1 for op in program['ops'] if isinstance(op, dict) and op.get('op') not in READS)
        for index, op in enumerate(program['ops']):
            if op.get('op') not in OPERATIONS:
                raise Stop('program', f"operation {index}: unknown kind {op.get('op')!r}")
            try:
                OPERATIONS[op['op']](kc, op, results)
            except Stop as stop:
                stop.error.setdefault('index', index)
                if op['op'] not in READS and op.get('label'):
                    stop.error.setdefault('label', op['label'])
                raise
            done += 1
            if op['op'] not in READS:
                progress['applied'] += 1
                print(f"keygate: {done}/{len(program['ops'])} {op['label']}", file=sys.stderr)
    except Stop as stop:
        emit(EXIT[stop.error['kind']], {'ok': False, 'done': done, **progress, 'error': stop.error, **extra})
    except Exception as e:  # a bug or an unexpected answer: still one framed, scrubbed result
        emit(EXIT['program'], {'ok': False, 'done': done, **progress, 'error': {'kind': 'program', 'message': f'{type(e).__name__}: {e}'[:600]}, **extra})
    emit(0, {'ok': True, 'done': done, 'results': results, **extra})


if __name__ == '__main__':
    main()
