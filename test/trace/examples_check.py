#!/usr/bin/env python3
"""Checks every file of examples/ (and trace/pdig-inject) for trace.examples.

usage: examples_check.py SOURCE_DIR BIN_DIR

- JSON files parse; YAML files parse (python3-yaml); shell scripts pass
  shellcheck.
- The ECS task definitions: Fargate, SYS_PTRACE for the container running
  pdig-trace, pidMode "task" and consistent volumes for the sidecar; the
  run-task input asks for platform version 1.4.0 or later.
- The Kubernetes pod: shareProcessNamespace, SYS_PTRACE for the sidecar,
  the downward API's fields, volumes that exist.
- Dockerfiles: the exec-form ENTRYPOINT names pdig-trace, the three programs
  are copied from the build stage, the build script exists.
- Every pdig-trace / pdig-inject / pdig-engine / pdig command line found
  (ENTRYPOINT+CMD, entryPoint+command, command+args, the README's and the
  scripts' text) names a program that is built, and options that its --help
  lists.
Prints "ok: ..." / "FAIL: ..." and exits 0, 1, or 77 (with the reason) when
a checker is missing.
"""
import json
import os
import re
import shutil
import subprocess
import sys

SRC, BIN = sys.argv[1], sys.argv[2]
EX = os.path.join(SRC, 'examples')
fails = 0


def ok(msg):
    print('ok: ' + msg)


def bad(msg):
    global fails
    fails += 1
    print('FAIL: ' + msg)


try:
    import yaml
except ImportError:
    print('SKIP: python3-yaml is not installed (scripts/setup.sh installs it)')
    sys.exit(77)
if not shutil.which('shellcheck'):
    print('SKIP: shellcheck is not installed (scripts/setup.sh installs it)')
    sys.exit(77)

PROGRAMS = {
    'pdig-trace': os.path.join(BIN, 'pdig-trace'),
    'pdig-engine': os.path.join(BIN, 'pdig-engine'),
    'pdig': os.path.join(BIN, 'pdig'),
    'pdig-inject': os.path.join(SRC, 'trace', 'pdig-inject'),
}
HELP = {}
for name, path in PROGRAMS.items():
    if not os.access(path, os.X_OK):
        bad(f'{name} is not built at {path}')
        continue
    r = subprocess.run([path, '--help'], capture_output=True, text=True)
    HELP[name] = r.stdout + r.stderr


def options_of(name):
    """The options a program's --help lists: -x and --long."""
    text = HELP.get(name, '')
    opts = set(re.findall(r'(?<![\w-])(--[a-z][a-z0-9-]*)', text))
    opts |= set(re.findall(r'(?<![\w-])(-[a-zA-Z])\b', text))
    return opts


def check_cmdline(where, argv):
    """argv: a command line whose first word is (a path to) one of ours."""
    prog = os.path.basename(argv[0])
    if prog not in PROGRAMS:
        return False
    if prog not in HELP:
        bad(f'{where}: {prog} is not built')
        return True
    known = options_of(prog)
    unknown = []
    for a in argv[1:]:
        if a == '--':
            break
        if a.startswith('-') and not re.fullmatch(r'-\d+', a):
            flag = a.split('=', 1)[0]
            if flag not in known:
                unknown.append(flag)
    if unknown:
        bad(f'{where}: {prog} has no option {", ".join(unknown)} (see {prog} --help)')
    else:
        ok(f'{where}: {" ".join(argv)}: {prog} and its options exist')
    return True


def container_cmds(where, c, entry_key, cmd_key):
    argv = list(c.get(entry_key) or []) + list(c.get(cmd_key) or [])
    if argv:
        check_cmdline(f'{where} ({c.get("name")})', argv)
    return argv


def runs_pdig(argv):
    return bool(argv) and os.path.basename(argv[0]) == 'pdig-trace'


def has_ptrace(caps):
    return 'SYS_PTRACE' in (caps or {}).get('add', [])


files = sorted(os.listdir(EX))

# ---- parse everything ----
for f in files:
    path = os.path.join(EX, f)
    if f.endswith('.json'):
        try:
            json.load(open(path))
            ok(f'{f}: JSON parses')
        except ValueError as e:
            bad(f'{f}: not JSON: {e}')
    elif f.endswith(('.yaml', '.yml')):
        try:
            list(yaml.safe_load_all(open(path)))
            ok(f'{f}: YAML parses')
        except yaml.YAMLError as e:
            bad(f'{f}: not YAML: {e}')
scripts = [os.path.join(EX, f) for f in files if f.endswith('.sh')]
scripts.append(os.path.join(SRC, 'trace', 'pdig-inject'))
scripts.append(os.path.join(SRC, 'scripts', 'build-static.sh'))
for s in scripts:
    r = subprocess.run(['shellcheck', s], capture_output=True, text=True)
    name = os.path.relpath(s, SRC)
    if r.returncode == 0:
        ok(f'{name}: shellcheck finds nothing')
    else:
        bad(f'{name}: shellcheck:\n{r.stdout}{r.stderr}')

# ---- ECS ----
for f in files:
    if not (f.startswith('ecs-task-definition') and f.endswith('.json')):
        continue
    td = json.load(open(os.path.join(EX, f)))
    if 'FARGATE' not in td.get('requiresCompatibilities', []):
        bad(f'{f}: not a Fargate task definition')
    if td.get('networkMode') != 'awsvpc':
        bad(f'{f}: Fargate needs networkMode awsvpc')
    vols = {v['name'] for v in td.get('volumes', [])}
    tracers = 0
    for c in td['containerDefinitions']:
        argv = container_cmds(f, c, 'entryPoint', 'command')
        for m in c.get('mountPoints', []):
            if m['sourceVolume'] not in vols:
                bad(f'{f}: {c["name"]} mounts an undefined volume {m["sourceVolume"]}')
        if runs_pdig(argv):
            tracers += 1
            caps = c.get('linuxParameters', {}).get('capabilities')
            if has_ptrace(caps):
                ok(f'{f}: {c["name"]} runs pdig-trace with SYS_PTRACE')
            else:
                bad(f'{f}: {c["name"]} runs pdig-trace without SYS_PTRACE in linuxParameters')
            attach = '-p' in argv or '-n' in argv
            if attach and td.get('pidMode') != 'task':
                bad(f'{f}: a sidecar attaching (-p/-n) needs pidMode "task"')
            elif attach:
                ok(f'{f}: the sidecar shares the task\'s pid namespace (pidMode task)')
            env = {e['name']: e['value'] for e in c.get('environment', [])}
            if 'TMPDIR' in env and not any(m['containerPath'] == env['TMPDIR']
                                           for m in c.get('mountPoints', [])):
                bad(f'{f}: TMPDIR {env["TMPDIR"]} is not a mounted volume')
    if not tracers:
        bad(f'{f}: no container runs pdig-trace')
rt = json.load(open(os.path.join(EX, 'ecs-run-task.json')))
pv = rt.get('platformVersion', '')
if pv == 'LATEST' or tuple(int(x) for x in pv.split('.')) >= (1, 4, 0):
    ok(f'ecs-run-task.json: platform version {pv} (>= 1.4.0: SYS_PTRACE allowed)')
else:
    bad(f'ecs-run-task.json: platform version {pv!r} is older than 1.4.0')
if rt.get('taskDefinition') not in {json.load(open(os.path.join(EX, f)))['family']
                                    for f in files if f.startswith('ecs-task-definition')}:
    bad('ecs-run-task.json: its taskDefinition is none of the examples\' families')

# ---- Kubernetes ----
for f in files:
    if not f.startswith('k8s-'):
        continue
    for doc in yaml.safe_load_all(open(os.path.join(EX, f))):
        spec = doc['spec']
        vols = {v['name'] for v in spec.get('volumes', [])}
        tracers = 0
        for c in spec['containers']:
            argv = container_cmds(f, c, 'command', 'args')
            for m in c.get('volumeMounts', []):
                if m['name'] not in vols:
                    bad(f'{f}: {c["name"]} mounts an undefined volume {m["name"]}')
            if not runs_pdig(argv):
                continue
            tracers += 1
            if has_ptrace(c.get('securityContext', {}).get('capabilities')):
                ok(f'{f}: {c["name"]} has SYS_PTRACE')
            else:
                bad(f'{f}: {c["name"]} runs pdig-trace without SYS_PTRACE')
            if ('-p' in argv or '-n' in argv) and spec.get('shareProcessNamespace') is not True:
                bad(f'{f}: a sidecar attaching (-p/-n) needs shareProcessNamespace: true')
            env = {e['name']: e for e in c.get('env', [])}
            want = {'POD_NAME': 'metadata.name', 'POD_NAMESPACE': 'metadata.namespace',
                    'POD_UID': 'metadata.uid'}
            for var, path in want.items():
                got = env.get(var, {}).get('valueFrom', {}).get('fieldRef', {}).get('fieldPath')
                if got != path:
                    bad(f'{f}: {var} should come from the downward API ({path}), not {got}')
            ok(f'{f}: {c["name"]}: the downward API gives POD_NAME, POD_NAMESPACE, POD_UID')
        if not tracers:
            bad(f'{f}: no container runs pdig-trace')

# ---- Dockerfiles ----
for f in files:
    if not f.startswith('Dockerfile'):
        continue
    text = open(os.path.join(EX, f)).read()
    lines = re.sub(r'\\\n', ' ', text).splitlines()
    instr = [(ln.split(None, 1) + [''])[:2] for ln in lines if ln.strip() and not ln.startswith('#')]
    entry = [json.loads(a) for i, a in instr if i == 'ENTRYPOINT']
    cmd = [json.loads(a) for i, a in instr if i == 'CMD']
    if not entry or not runs_pdig(entry[-1]):
        bad(f'{f}: the ENTRYPOINT (exec form) is not pdig-trace')
    else:
        check_cmdline(f, entry[-1] + (cmd[-1] if cmd else []))
    copies = ' '.join(a for i, a in instr if i == 'COPY' and '--from=' in a)
    for p in ('pdig', 'pdig-engine', 'pdig-trace'):
        if not re.search(r'/%s(\s|$)' % re.escape(p), copies):
            bad(f'{f}: {p} is not copied from the build stage')
    for i, a in instr:
        if i == 'RUN':
            for s in re.findall(r'/src/(scripts/[\w.-]+)', a):
                if not os.path.exists(os.path.join(SRC, s)):
                    bad(f'{f}: {s} does not exist')
        if i == 'COPY' and '--from=' not in a:
            for s in a.split()[:-1]:
                if s != '.' and not os.path.exists(os.path.join(SRC, s)):
                    bad(f'{f}: COPY {s}: no such file in the repository')
    ok(f'{f}: a build stage makes the static programs, the final image copies them')

# ---- command lines in the text of the README and the scripts ----
texts = [os.path.join(EX, 'README.md'), os.path.join(SRC, 'trace', 'README.md'),
         os.path.join(EX, 'falcosidekick-forward.sh')]
PROG_RE = r'(?:\.?/[\w./-]*/)?(?:pdig-trace|pdig-inject|pdig-engine|pdig)'
for t in texts:
    if not os.path.exists(t):
        bad(f'{t} is missing')
        continue
    text = open(t).read()
    lines = []
    if t.endswith('.md'):
        # `inline code` and the lines of fenced blocks that start with one of ours
        flat = text.replace('\n', ' ')
        lines += [m.group(1) for m in re.finditer(r'`(%s\s[^`]*)`' % PROG_RE, flat)]
        for block in re.findall(r'```\w*\n(.*?)```', text, re.S):
            lines += [ln for ln in block.splitlines() if re.match(PROG_RE + r'\s', ln.strip())]
    else:
        # usage lines in the comments of a script
        lines += [m.group(1) for m in re.finditer(r'^#\s+(%s\s.*)$' % PROG_RE, text, re.M)]
    for line in lines:
        line = re.sub(r'\s+#.*$', '', re.sub(r'\s+', ' ', line.strip())).split(' | ')[0]
        check_cmdline(os.path.relpath(t, SRC), line.split(' '))
readme = open(os.path.join(EX, 'README.md')).read()
for f in files:
    if f != 'README.md' and f not in readme:
        bad(f'examples/README.md does not explain {f}')
print(f'{"FAIL" if fails else "ok"}: examples checked, {fails} problem(s)')
sys.exit(1 if fails else 0)
