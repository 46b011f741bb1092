#!/usr/bin/env node
// `npm run check:kubernetes`: checks deploy/kubernetes without a cluster.
//
//   1. Every YAML file parses, kustomization.yaml lists every other one, and every object is valid to
//      its Kubernetes API schema (kubernetes-models' validate()).
//   2. Every environment variable the service reads (found in src/: each `env.NAME`, and every property
//      of the EnvironmentVariables class) is set by the Deployment (env, or the keys of the ConfigMap it
//      takes with envFrom) or listed with a default in the README's "Configuration" section; and every
//      variable the manifests set is one the service reads (a misspelt name would be ignored silently).
//   3. What the service's operation depends on: readiness on /health, liveness on /health/live, the
//      hardening (non-root, read-only root, no privilege escalation, no capabilities, seccomp), a
//      memory request above the bench's peak RSS, a grace period that covers preStop plus the drain,
//      and the Service, autoscaler and disruption budget pointing at the Deployment's pods.
//
// Options (for its tests): --manifests <dir>, --src <dir>, --readme <file>. Exit status 0: all good;
// 1: problems, one per line; 2: wrong usage.
import { parseAllDocuments } from 'yaml';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The highest peak RSS of the bench's server (README, "Performance": 135–139 MB). */
const PEAK_RSS_BYTES = 140 * 1000 * 1000;
/** How long the service may take from SIGTERM to exit: what scripts/check-compose.sh allows it. */
const DRAIN_SECONDS = 15;
const READINESS_PATH = '/health';
const LIVENESS_PATH = '/health/live';

const USAGE = 'Usage: node scripts/check-kubernetes.mjs [--manifests <dir>] [--src <dir>] [--readme <file>]';

function parseArguments(args) {
  const options = {
    manifests: join(ROOT, 'deploy/kubernetes'),
    src: join(ROOT, 'src'),
    readme: join(ROOT, 'README.md'),
  };
  for (let index = 0; index < args.length; index += 2) {
    const name = args[index]?.replace(/^--/, '');
    if (!(name in options) || !args[index].startsWith('--') || args[index + 1] === undefined) return undefined;
    options[name] = resolve(args[index + 1]);
  }
  return options;
}

// ---- what the service reads ------------------------------------------------------------------------

function sourceFiles(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * Every variable the service reads: `process.env.NAME`, `env.NAME` and `env['NAME']` anywhere in src/
 * (a function may take the environment as a parameter), and every property of EnvironmentVariables, the
 * class that validates the configuration at start.
 */
export function serviceVariables(sourceDirectory, problems) {
  const variables = new Set();
  for (const file of sourceFiles(sourceDirectory)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g)) {
      variables.add(match[1] ?? match[2]);
    }
  }
  const validation = join(sourceDirectory, 'config/environment.validation.ts');
  const classBody = /export class EnvironmentVariables \{([\s\S]*?)\n\}/.exec(readFileSync(validation, 'utf8'))?.[1];
  const properties = [...(classBody ?? '').matchAll(/^\s+public ([A-Z][A-Z0-9_]*)[?!]?\s*[:=]/gm)].map((m) => m[1]);
  if (properties.length === 0) {
    problems.push(`${relative(ROOT, validation)}: found no property of class EnvironmentVariables`);
  }
  for (const property of properties) variables.add(property);
  return variables;
}

/** The variables the README's "Configuration" section lists in a table row with a default. */
export function optionalVariables(readmePath, problems) {
  const readme = readFileSync(readmePath, 'utf8');
  const section = /^## Configuration\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  if (section === undefined) {
    problems.push(`${basename(readmePath)}: no "## Configuration" section`);
    return new Set();
  }
  const optional = new Set();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // | variable | default | meaning |: cells[0] is the empty text before the first bar.
    if (cells.length < 4 || cells[2] === '' || /^-+$/.test(cells[2])) continue;
    for (const match of cells[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)) optional.add(match[1]);
  }
  return optional;
}

// ---- the manifests ---------------------------------------------------------------------------------

function readManifests(directory, problems) {
  const files = readdirSync(directory)
    .filter((name) => /\.ya?ml$/.test(name) && statSync(join(directory, name)).isFile())
    .sort();
  const objects = [];
  for (const file of files) {
    for (const document of parseAllDocuments(readFileSync(join(directory, file), 'utf8'))) {
      if (document.errors.length > 0) {
        problems.push(`${file}: ${document.errors[0].message.split('\n')[0].replace(/:$/, '')}`);
        continue;
      }
      const object = document.toJS();
      if (object === null || object === undefined) continue;
      if (typeof object !== 'object' || Array.isArray(object) || !object.apiVersion || !object.kind) {
        problems.push(`${file}: a document without apiVersion and kind`);
        continue;
      }
      objects.push({ file, object, name: `${object.kind}/${object.metadata?.name ?? '(unnamed)'}` });
    }
  }
  return { files, objects };
}

function checkKustomization(files, objects, problems) {
  const kustomizations = objects.filter(({ object }) => object.kind === 'Kustomization');
  if (kustomizations.length !== 1) {
    problems.push(`expected one Kustomization (kustomization.yaml), found ${kustomizations.length}`);
    return;
  }
  const [{ file, object }] = kustomizations;
  const listed = object.resources ?? [];
  for (const resource of listed) {
    if (!files.includes(resource)) problems.push(`${file}: lists ${resource}, which does not exist`);
  }
  for (const other of files) {
    if (other !== file && !listed.includes(other)) problems.push(`${file}: does not list ${other} in resources`);
  }
}

async function modelOf(apiVersion, kind) {
  try {
    const models = await import(`kubernetes-models/${apiVersion}`);
    return models[kind];
  } catch {
    return undefined;
  }
}

async function validateObjects(objects, problems) {
  for (const { file, object, name } of objects) {
    if (object.kind === 'Kustomization') continue;
    const Model = await modelOf(object.apiVersion, object.kind);
    if (!Model) {
      problems.push(`${file}: ${name}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${file}: ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

const ofKind = (objects, kind) => objects.filter(({ object }) => object.kind === kind);

/** The variables one container gets, each with where it comes from, and the ConfigMap values. */
function containerEnvironment(file, container, objects, problems) {
  const variables = new Map();
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) {
      problems.push(
        `${file}: container ${container.name} takes a whole Secret with envFrom, which hides the variables` +
          ' it sets; name each one with secretKeyRef',
      );
    }
    if (!source.configMapRef) continue;
    const configMap = ofKind(objects, 'ConfigMap').find(
      ({ object }) => object.metadata?.name === source.configMapRef.name,
    );
    if (!configMap) {
      problems.push(
        `${file}: container ${container.name} takes ConfigMap ${source.configMapRef.name}, which is not defined here`,
      );
      continue;
    }
    for (const [key, value] of Object.entries(configMap.object.data ?? {})) {
      variables.set(`${source.prefix ?? ''}${key}`, { from: `${configMap.file}`, value: String(value) });
    }
  }
  for (const entry of container.env ?? []) {
    const reference = entry.valueFrom?.configMapKeyRef;
    let value = entry.value;
    if (reference) {
      const configMap = ofKind(objects, 'ConfigMap').find(({ object }) => object.metadata?.name === reference.name);
      value = configMap?.object.data?.[reference.key];
      if (value === undefined && !reference.optional) {
        problems.push(
          `${file}: ${entry.name} refers to ConfigMap ${reference.name} key ${reference.key}, which is not defined here`,
        );
      }
    }
    variables.set(entry.name, { from: file, value });
  }
  return variables;
}

function checkEnvironment(deployments, objects, readVariables, optional, problems) {
  const setAnywhere = new Set();
  for (const { file, object } of deployments) {
    for (const container of object.spec?.template?.spec?.containers ?? []) {
      const variables = containerEnvironment(file, container, objects, problems);
      for (const [name, { from }] of variables) {
        setAnywhere.add(name);
        if (!readVariables.has(name)) problems.push(`${from}: sets ${name}, which the service does not read`);
      }
      checkPort(file, container, variables, problems);
    }
  }
  for (const name of [...readVariables].sort()) {
    if (!setAnywhere.has(name) && !optional.has(name)) {
      problems.push(
        `the service reads ${name}, which deploy/kubernetes does not set and the README's Configuration section` +
          ' does not list with a default',
      );
    }
  }
}

function checkPort(file, container, variables, problems) {
  const port = variables.get('PORT')?.value ?? '3000';
  if (!(container.ports ?? []).some((entry) => String(entry.containerPort) === String(port))) {
    problems.push(
      `${file}: container ${container.name} declares no containerPort ${port}, where PORT makes the service listen`,
    );
  }
}

// ---- how the pods run ------------------------------------------------------------------------------

function probePathProblem(container, probeName, expectedPath) {
  const probe = container[probeName];
  if (probe?.httpGet?.path !== expectedPath) return `${probeName} is not an HTTP GET of ${expectedPath}`;
  const port = probe.httpGet.port;
  const ports = container.ports ?? [];
  if (!ports.some((entry) => entry.name === port || entry.containerPort === port)) {
    return `${probeName} probes port ${port}, which the container does not declare`;
  }
  return undefined;
}

const MEMORY_UNITS = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes memory quantity in bytes; NaN for a form this checker does not read. */
export function memoryBytes(quantity) {
  const match = /^(\d+(?:\.\d+)?)(k|K|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(quantity ?? ''));
  return match ? Number(match[1]) * MEMORY_UNITS[match[2] ?? ''] : Number.NaN;
}

function preStopSeconds(container) {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return Number(preStop.sleep.seconds);
  const command = preStop?.exec?.command ?? [];
  const sleep = command.findIndex((part) => part === 'sleep' || part.endsWith('/sleep'));
  return sleep === -1 ? 0 : Number(command[sleep + 1]);
}

function checkPods(deployments, problems) {
  if (deployments.length === 0) problems.push('no Deployment');
  for (const { file, object } of deployments) {
    const pod = object.spec?.template?.spec ?? {};
    const podSecurity = pod.securityContext ?? {};
    for (const container of pod.containers ?? []) {
      const where = `${file}: container ${container.name}`;
      const security = container.securityContext ?? {};
      const effective = (key) => security[key] ?? podSecurity[key];
      const failures = [
        probePathProblem(container, 'readinessProbe', READINESS_PATH),
        probePathProblem(container, 'livenessProbe', LIVENESS_PATH),
        effective('runAsNonRoot') !== true && 'runAsNonRoot is not true',
        !(Number.isInteger(effective('runAsUser')) && effective('runAsUser') > 0) &&
          'runAsUser is not a numeric non-root id (the kubelet cannot check a user name for runAsNonRoot)',
        security.readOnlyRootFilesystem !== true && 'readOnlyRootFilesystem is not true',
        security.allowPrivilegeEscalation !== false && 'allowPrivilegeEscalation is not false',
        !(security.capabilities?.drop ?? []).includes('ALL') && 'capabilities do not drop ALL',
        (security.capabilities?.add ?? []).length > 0 && 'capabilities add some back',
        effective('seccompProfile')?.type !== 'RuntimeDefault' && 'seccompProfile is not RuntimeDefault',
      ];
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (container.resources?.[kind]?.[resource] === undefined)
            failures.push(`has no ${resource} ${kind.slice(0, -1)}`);
        }
      }
      const memoryRequest = memoryBytes(container.resources?.requests?.memory);
      if (memoryRequest < PEAK_RSS_BYTES || Number.isNaN(memoryRequest)) {
        failures.push(
          `requests ${container.resources?.requests?.memory} of memory, below the bench's peak RSS of 140 MB`,
        );
      }
      const memoryLimit = memoryBytes(container.resources?.limits?.memory);
      if (memoryLimit < memoryRequest) failures.push('has a memory limit below its request');
      const grace = pod.terminationGracePeriodSeconds ?? 30;
      const preStop = preStopSeconds(container);
      if (preStop === 0) failures.push('has no preStop sleep (Services would still send it requests after SIGTERM)');
      if (grace < preStop + DRAIN_SECONDS) {
        failures.push(
          `terminationGracePeriodSeconds ${grace} does not cover preStop (${preStop} s) plus the drain after SIGTERM (${DRAIN_SECONDS} s)`,
        );
      }
      for (const failure of failures.filter(Boolean)) problems.push(`${where}: ${failure}`);
    }
  }
}

const selects = (selector, labels) =>
  Object.keys(selector ?? {}).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

function checkReferences(deployments, objects, problems) {
  const pods = deployments.map(({ object }) => ({
    deployment: object.metadata?.name,
    labels: object.spec?.template?.metadata?.labels ?? {},
    containers: object.spec?.template?.spec?.containers ?? [],
  }));
  for (const { file, name, object } of ofKind(objects, 'Service')) {
    const targets = pods.filter((pod) => selects(object.spec?.selector, pod.labels));
    if (targets.length === 0) problems.push(`${file}: ${name} selects no Deployment's pods`);
    for (const port of object.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      const declared = targets.some((pod) =>
        pod.containers.some((container) =>
          (container.ports ?? []).some((entry) => entry.name === target || entry.containerPort === target),
        ),
      );
      if (targets.length > 0 && !declared)
        problems.push(`${file}: ${name} targets port ${target}, which its pods do not declare`);
    }
  }
  for (const { file, name, object } of ofKind(objects, 'PodDisruptionBudget')) {
    if (!pods.some((pod) => selects(object.spec?.selector?.matchLabels, pod.labels))) {
      problems.push(`${file}: ${name} selects no Deployment's pods`);
    }
  }
  for (const { file, name, object } of ofKind(objects, 'HorizontalPodAutoscaler')) {
    const target = object.spec?.scaleTargetRef;
    if (target?.kind !== 'Deployment' || !pods.some((pod) => pod.deployment === target.name)) {
      problems.push(`${file}: ${name} scales ${target?.kind}/${target?.name}, which is not defined here`);
    }
  }
}

export async function checkKubernetes({ manifests, src, readme }) {
  const problems = [];
  const { files, objects } = readManifests(manifests, problems);
  checkKustomization(files, objects, problems);
  await validateObjects(objects, problems);
  const deployments = ofKind(objects, 'Deployment');
  checkEnvironment(
    deployments,
    objects,
    serviceVariables(src, problems),
    optionalVariables(readme, problems),
    problems,
  );
  checkPods(deployments, problems);
  checkReferences(deployments, objects, problems);
  return { problems, files, objects };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArguments(process.argv.slice(2));
  if (!options) {
    console.error(USAGE);
    process.exit(2);
  }
  const { problems, files, objects } = await checkKubernetes(options);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`FAIL ${problem}`);
    process.exit(1);
  }
  console.log(
    `PASS ${relative(process.cwd(), options.manifests) || '.'}: ${files.length} files, ${objects.length} objects valid;` +
      ' every variable the service reads is set or has a documented default',
  );
}
