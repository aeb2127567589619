"""Runs one command (a Keycloak server) so that it cannot outlive the process that started it.

usage: supervise.py --log FILE [--remove DIR] [--grace SECONDS] -- COMMAND [ARG...]

The command runs in its own process group, its output appended to FILE. It is stopped (SIGTERM to the
group, SIGKILL after the grace period) when any of these happens:
  - the parent writes a line or closes our stdin (the parent's normal stop, or the pipe closing
    because the parent died, even by SIGKILL);
  - the parent dies (PR_SET_PDEATHSIG delivers SIGTERM to us: https://man7.org/linux/man-pages/man2/prctl.2.html);
  - we get SIGTERM, SIGINT or SIGHUP (Ctrl-C in the terminal reaches the whole foreground group).
Then DIR (the run's throw-away home: database, transaction logs) is removed, and we exit with the
command's status (128 + signal when a signal ended it). When the command ends by itself, the last
lines of FILE go to our stderr first, so the parent can say why. Nothing here reads or prints a secret:
the command's environment is passed through untouched.
"""
import argparse, ctypes, os, shutil, signal, subprocess, sys, threading, time

PR_SET_PDEATHSIG = 1


def die_with_parent(parent):
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the stdin pipe still tells us when the parent is gone
    if os.getppid() != parent:  # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--log', required=True)
    parser.add_argument('--remove')
    parser.add_argument('--grace', type=float, default=20.0)
    parser.add_argument('--parent', type=int, default=os.getppid())
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    # A plain flag, polled, not a threading.Event: a handler runs in the main thread between any two bytecodes,
    # and Event.set() there, while the main thread holds the Event's lock inside wait(), deadlocks (the stdin
    # thread's set() then waits on the same lock). It happened: a parent killed by SIGKILL sends both the
    # death signal and EOF, and a Keycloak outlived its test run. https://github.com/python/cpython/issues/126434
    stop = [False]

    def request_stop(*_):
        stop[0] = True

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, request_stop)
    die_with_parent(args.parent)

    with open(args.log, 'ab', buffering=0) as log:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def watch_stdin():
        try:
            # Unbuffered: a buffered read would hold a lock that interpreter shutdown waits for.
            while os.read(0, 1) not in (b'\n', b''):  # a line, or EOF when the parent closes the pipe or dies
                pass
        except OSError:
            pass
        request_stop()

    threading.Thread(target=watch_stdin, daemon=True).start()
    while child.poll() is None and not stop[0]:
        time.sleep(0.2)

    by_itself = child.poll() is not None
    if not by_itself:
        terminate(child, args.grace)
    if by_itself:
        sys.stderr.write(tail(args.log, 40))
        sys.stderr.flush()
    if args.remove:
        shutil.rmtree(args.remove, ignore_errors=True)
    code = child.returncode
    sys.stderr.flush()
    os._exit(128 - code if code < 0 else code)  # not sys.exit: the stdin thread may still be reading


def terminate(child, grace):
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(child.pid, sig)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + wait
        while child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if child.poll() is not None:
            # kc.sh forwards TERM to Java and waits for it, but a Java left behind in the group goes too.
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return


def tail(path, lines):
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            return b'\n'.join(f.read().splitlines()[-lines:]).decode('utf-8', 'replace') + '\n'
    except OSError:
        return ''


if __name__ == '__main__':
    main()
