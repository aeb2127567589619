"""A fault at a named point of the host executor, for the local world only (never deployed).

The SSM emulator puts a `python3` wrapper first on the scripts' PATH: while a fault is armed
(KEYGATE_HOST_FAULT_DIR/armed.json), the Command document's `python3 -I executor.py …` runs through
this file instead, which patches the few calls the points are named after and then runs the real
executor unchanged (runpy). A point is counted per command; the fault fires once, in the first command
that reaches it (claimed by renaming armed.json, so two commands never both fire it).

argv: this file's own, then the executor's (executor.py, program, publish directory).
"""
import errno, gzip, json, os, runpy, signal, stat, sys, time, urllib.error, urllib.parse, urllib.request

FAULT_DIR = os.environ['KEYGATE_HOST_FAULT_DIR']
ARMED = os.path.join(FAULT_DIR, 'armed.json')
try:
    with open(ARMED) as f:
        FAULT = json.load(f)
except (FileNotFoundError, ValueError):
    FAULT = None
COUNTS = {}


def kind_of_command(program_file):
    """publish (writes a file), apply (writes to Keycloak) or observe: what `command` in a fault selects."""
    try:
        ops = json.loads(gzip.decompress(open(program_file, 'rb').read())).get('ops', [])
    except Exception:
        return 'unknown'
    kinds = {op.get('op') for op in ops}
    return 'publish' if 'write-file' in kinds else 'apply' if kinds & {'send', 'merge-list', 'merge-object'} else 'observe'


def reached(point):
    """True once: when the armed fault names this point, its n-th occurrence in this command, and the claim succeeds."""
    if not FAULT or FAULT['at'] != point:
        return False
    COUNTS[point] = COUNTS.get(point, 0) + 1
    if COUNTS[point] != FAULT.get('nth', 1):
        return False
    try:
        os.rename(ARMED, os.path.join(FAULT_DIR, f'claimed-{os.getpid()}.json'))
    except FileNotFoundError:
        return False  # another command fired it
    with open(os.path.join(FAULT_DIR, 'fired.json'), 'w') as f:
        json.dump({**FAULT, 'pid': os.getpid(), 'pgid': os.getpgrp()}, f)
    return True


def act(default=None):
    """Carries out the fault's action; returns for the actions the caller performs itself (`default`)."""
    action = FAULT['action']
    if action == 'kill-group':  # the whole command: bash too, so its EXIT trap never runs (as SSM at timeoutSeconds)
        os.killpg(os.getpgrp(), signal.SIGKILL)
    if action == 'kill-executor':  # the executor only (the out-of-memory killer): bash sees 137 and its trap runs
        os.kill(os.getpid(), signal.SIGKILL)
    if action == 'hold':  # stands still until the emulator ends the command (TimedOut, Cancelled)
        with open(os.path.join(FAULT_DIR, 'held'), 'w') as f:
            f.write(str(os.getpgrp()))
        while True:
            time.sleep(60)
    if action == 'disk-full':
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if action == 'time-out':
        # As urllib raises it: wrapped while connecting and sending, raw while waiting for the answer.
        if FAULT.get('when', 'before') == 'before':
            raise urllib.error.URLError(TimeoutError('timed out'))
        raise TimeoutError('timed out')
    return default


if FAULT and FAULT.get('command') not in (None, kind_of_command(sys.argv[2])):
    FAULT = None

real_replace, real_fsync, real_open = os.replace, os.fsync, urllib.request.OpenerDirector.open


def replace(src, dst, *args, **kwargs):
    if reached('rename'):
        act()
    return real_replace(src, dst, *args, **kwargs)


def fsync(fd):
    if stat.S_ISREG(os.fstat(fd).st_mode) and reached('fsync'):
        act()
    return real_fsync(fd)


def opener_open(self, request, *args, **kwargs):
    write = request.get_method() != 'GET' and urllib.parse.urlsplit(request.full_url).path.startswith('/admin/')
    if not write or not reached('keycloak-write'):
        return real_open(self, request, *args, **kwargs)
    if FAULT.get('when', 'before') == 'before':
        act()
        return real_open(self, request, *args, **kwargs)
    response = real_open(self, request, *args, **kwargs)  # the write lands; then the fault (its answer is lost)
    response.read()
    response.close()
    act()
    return response


os.replace, os.fsync, urllib.request.OpenerDirector.open = replace, fsync, opener_open
if reached('start'):
    act()
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
