import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const CHECKER = join(ROOT, 'scripts/check-kubernetes.mjs');

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run check:kubernetes` as CI runs it, on the given copies. */
function check(...args: string[]): Outcome {
  const { status, stdout, stderr } = spawnSync(process.execPath, [CHECKER, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status, stdout, stderr };
}

/** The problems of a failed check, one per line, without the FAIL prefix. */
function problemsOf(outcome: Outcome): string[] {
  expect({ status: outcome.status, stdout: outcome.stdout }).toEqual({ status: 1, stdout: '' });
  return outcome.stderr
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(/^FAIL /, ''));
}

describe('npm run check:kubernetes', () => {
  let work: string;
  let manifests: string;
  /** Replaces `from` (which must occur) by `to` in one file of the copied manifests. */
  const edit = (file: string, from: string, to: string): void => {
    const path = join(manifests, file);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(from);
    writeFileSync(path, text.replace(from, to));
  };

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'fungame-kubernetes-'));
    manifests = join(work, 'kubernetes');
    cpSync(join(ROOT, 'deploy/kubernetes'), manifests, { recursive: true });
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('passes the committed manifests', () => {
    expect(check()).toEqual({
      status: 0,
      stdout:
        'PASS deploy/kubernetes: 6 files, 6 objects valid; every variable the service reads is set or has a documented default\n',
      stderr: '',
    });
  });

  it('fails on an object its API schema refuses, an unknown kind, a YAML error and a file left out', () => {
    edit('horizontalpodautoscaler.yaml', 'maxReplicas: 10', 'maxReplicas: ten');
    edit('kustomization.yaml', '  - service.yaml\n', '');
    writeFileSync(join(manifests, 'secret.yaml'), 'apiVersion: v1\nkind: Sekret\nmetadata:\n  name: fungame-auth\n');
    writeFileSync(join(manifests, 'broken.yml'), 'data: [\n');

    expect(problemsOf(check('--manifests', manifests))).toEqual([
      'broken.yml: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1',
      'kustomization.yaml: does not list broken.yml in resources',
      'kustomization.yaml: does not list secret.yaml in resources',
      'kustomization.yaml: does not list service.yaml in resources',
      'horizontalpodautoscaler.yaml: HorizontalPodAutoscaler/fungame-auth: data/spec/maxReplicas must be integer',
      'secret.yaml: Sekret/fungame-auth: no schema for v1 Sekret',
    ]);
  });

  it('fails when the code reads a variable that the manifests do not set and the README does not document', () => {
    const src = join(work, 'src');
    cpSync(join(ROOT, 'src'), src, { recursive: true });
    writeFileSync(join(src, 'new-feature.ts'), "export const enabled = process.env['NEW_FEATURE'] === 'on';\n");
    edit('deployment.yaml', '            - name: JWT_SECRET\n', '            - name: JWT_SECRETS\n');

    expect(problemsOf(check('--manifests', manifests, '--src', src))).toEqual([
      'deployment.yaml: sets JWT_SECRETS, which the service does not read',
      "the service reads NEW_FEATURE, which deploy/kubernetes does not set and the README's Configuration section does not list with a default",
    ]);
  });

  it('fails on a misspelt ConfigMap key, and on a variable the README gives no default once the manifests drop it', () => {
    edit('configmap.yaml', '  SESSION_MAX_AGE: 30d\n', '  SESION_MAX_AGE: 30d\n');
    const readme = join(work, 'README.md');
    // The README as it would be without SESSION_MAX_AGE's row in the Configuration section.
    writeFileSync(
      readme,
      readFileSync(join(ROOT, 'README.md'), 'utf8')
        .split('\n')
        .filter((line) => !(line.startsWith('| `SESSION_MAX_AGE`') && line.includes('`30d`')))
        .join('\n'),
    );

    expect(problemsOf(check('--manifests', manifests, '--readme', readme))).toEqual([
      'configmap.yaml: sets SESION_MAX_AGE, which the service does not read',
      "the service reads SESSION_MAX_AGE, which deploy/kubernetes does not set and the README's Configuration section does not list with a default",
    ]);
  });

  it('fails on wrong probes, weakened hardening, too little memory and too short a grace period', () => {
    edit('deployment.yaml', 'path: /health\n', 'path: /healthz\n');
    edit('deployment.yaml', 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false');
    edit('deployment.yaml', 'allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true');
    edit('deployment.yaml', 'runAsUser: 1000', 'runAsUser: 0');
    edit('deployment.yaml', '                - ALL', '                - NET_RAW');
    edit('deployment.yaml', 'type: RuntimeDefault', 'type: Unconfined');
    edit('deployment.yaml', 'memory: 160Mi', 'memory: 128Mi');
    edit('deployment.yaml', 'terminationGracePeriodSeconds: 45', 'terminationGracePeriodSeconds: 20');

    const where = 'deployment.yaml: container fungame-auth';
    expect(problemsOf(check('--manifests', manifests))).toEqual([
      `${where}: readinessProbe is not an HTTP GET of /health`,
      `${where}: runAsUser is not a numeric non-root id (the kubelet cannot check a user name for runAsNonRoot)`,
      `${where}: readOnlyRootFilesystem is not true`,
      `${where}: allowPrivilegeEscalation is not false`,
      `${where}: capabilities do not drop ALL`,
      `${where}: seccompProfile is not RuntimeDefault`,
      `${where}: requests 128Mi of memory, below the bench's peak RSS of 140 MB`,
      `${where}: terminationGracePeriodSeconds 20 does not cover preStop (10 s) plus the drain after SIGTERM (15 s)`,
    ]);
  });

  it('fails when the liveness probe, the preStop hook or the port is lost', () => {
    edit(
      'deployment.yaml',
      'path: /health/live\n              port: http\n            periodSeconds: 10',
      'path: /health\n              port: http\n            periodSeconds: 10',
    );
    edit(
      'deployment.yaml',
      '            preStop:\n              sleep:\n                seconds: 10\n',
      '            preStop: {}\n',
    );
    edit('configmap.yaml', "PORT: '3000'", "PORT: '8080'");

    const where = 'deployment.yaml: container fungame-auth';
    expect(problemsOf(check('--manifests', manifests))).toEqual([
      `${where} declares no containerPort 8080, where PORT makes the service listen`,
      `${where}: livenessProbe is not an HTTP GET of /health/live`,
      `${where}: has no preStop sleep (Services would still send it requests after SIGTERM)`,
    ]);
  });

  it('fails when the Service, the disruption budget or the autoscaler miss the Deployment', () => {
    edit('service.yaml', 'targetPort: http', 'targetPort: web');
    edit(
      'poddisruptionbudget.yaml',
      'matchLabels:\n      app.kubernetes.io/name: fungame-auth',
      'matchLabels:\n      app.kubernetes.io/name: fungame',
    );
    edit(
      'horizontalpodautoscaler.yaml',
      'kind: Deployment\n    name: fungame-auth',
      'kind: Deployment\n    name: fungame',
    );

    expect(problemsOf(check('--manifests', manifests))).toEqual([
      'service.yaml: Service/fungame-auth targets port web, which its pods do not declare',
      "poddisruptionbudget.yaml: PodDisruptionBudget/fungame-auth selects no Deployment's pods",
      'horizontalpodautoscaler.yaml: HorizontalPodAutoscaler/fungame-auth scales Deployment/fungame, which is not defined here',
    ]);
  });

  it('fails when the README has no Configuration section to document defaults in', () => {
    const readme = join(work, 'README.md');
    writeFileSync(readme, readFileSync(join(ROOT, 'README.md'), 'utf8').replace('## Configuration\n', '## Settings\n'));

    expect(problemsOf(check('--manifests', manifests, '--readme', readme))).toEqual([
      'README.md: no "## Configuration" section',
      "the service reads DATA_DIR, which deploy/kubernetes does not set and the README's Configuration section does not list with a default",
      "the service reads EMBEDDED_POSTGRES_PORT, which deploy/kubernetes does not set and the README's Configuration section does not list with a default",
      "the service reads JWT_PREVIOUS_PUBLIC_KEYS, which deploy/kubernetes does not set and the README's Configuration section does not list with a default",
      "the service reads JWT_PRIVATE_KEY, which deploy/kubernetes does not set and the README's Configuration section does not list with a default",
      "the service reads JWT_PRIVATE_KEY_FILE, which deploy/kubernetes does not set and the README's Configuration section does not list with a default",
    ]);
  });

  it('refuses unknown options with its usage and status 2', () => {
    expect(check('--manifest', manifests)).toEqual({
      status: 2,
      stdout: '',
      stderr: 'Usage: node scripts/check-kubernetes.mjs [--manifests <dir>] [--src <dir>] [--readme <file>]\n',
    });
  });
});
