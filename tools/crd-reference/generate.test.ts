import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { configFileMounts, podTemplate } from '../../model/session-files.ts';
import { renderFlinkOptions } from '../../model/flink-options.ts';
import type { FlinkSessionSpec, SessionRef } from '../../model/flinksession.ts';
import { renderLaunchJob } from '../../model/launch-job.ts';
import { FLINKSESSION_API_VERSION, FLINKSESSION_KIND } from '../../model/names.ts';
import { validateSpec } from '../../model/validate.ts';
import { generateReference, readCrd, REFERENCE } from './generate.ts';
import { anchorOf, code, fieldPaths, fieldsOfRule, limitsOf, prose, renderReference, sectionsOf, typeOf, type Crd, type Schema } from './reference.ts';

const EXAMPLE = new URL('../../docs/example-flinksession.yaml', import.meta.url);
/** The example as a valid fixture of test/crd, so the real API server checks it too. */
const EXAMPLE_FIXTURE = new URL('../../test/fixtures/flinksessions/valid/docs-example-flinksession.yaml', import.meta.url);

describe('docs/flinksession-reference.md', () => {
  it('is what crds/flinksession.yaml generates (run `npm run generate:docs` after editing the CRD)', () => {
    expect(readFileSync(REFERENCE, 'utf8')).toBe(generateReference());
  });

  it('has a row for every field of the CRD', () => {
    const root = readCrd().spec.versions[0]!.schema.openAPIV3Schema;
    const reference = generateReference();
    const missing = fieldPaths(root).filter((path) => !reference.includes(`| ${code(path)}`) && !reference.includes(`| [${code(path)}](`));
    expect(missing).toEqual([]);
  });
});

describe('the reference generator', () => {
  it.each([
    ['a string', { type: 'string' }, 'string'],
    ['an integer with a format', { type: 'integer', format: 'int32' }, 'integer (int32)'],
    ['int-or-string', { 'x-kubernetes-int-or-string': true, anyOf: [] }, 'integer or string'],
    ['an array', { type: 'array', items: { type: 'string' } }, '[]string'],
    ['a map', { type: 'object', additionalProperties: { type: 'string' } }, 'map[string]string'],
    ['an object', { type: 'object', properties: { a: { type: 'string' } } }, 'object'],
  ] as Array<[string, Schema, string]>)('names the type of %s', (_case, schema, expected) => {
    expect(typeOf(schema)).toBe(expected);
  });

  it.each([
    ['numbers', { type: 'integer', minimum: 1, maximum: 9 }, ['≥ 1', '≤ 9']],
    ['lengths and a pattern', { type: 'string', minLength: 1, maxLength: 63, pattern: '^(a|b)$' }, ['length ≥ 1', 'length ≤ 63', 'pattern `^(a\\|b)$`']],
    [
      'a keyed list',
      { type: 'array', maxItems: 8, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
      ['≤ 8 items', 'one item per `type`'],
    ],
    [
      'a map and its values',
      { type: 'object', maxProperties: 4, additionalProperties: { type: 'string', maxLength: 63 } },
      ['≤ 4 entries', 'values: length ≤ 63'],
    ],
  ] as Array<[string, Schema, string[]]>)('states the limits of %s', (_case, schema, expected) => {
    expect(limitsOf(schema)).toEqual(expected);
  });

  it.each([
    ['its fieldPath', { rule: 'has(self.a) || has(self.b)', fieldPath: '.b' }, ['b']],
    ['the fields the rule reads', { rule: '!(has(self.a) && has(self.c))' }, ['a', 'c']],
    ['CEL-escaped names', { rule: 'has(self.off__dash__heap)' }, ['off-heap']],
    ['nothing, for a rule on something else', { rule: 'self.metadata.name.size() <= 45' }, []],
  ])('attributes a rule on an object to %s', (_case, rule, expected) => {
    expect(fieldsOfRule(rule, ['a', 'b', 'c', 'off-heap'])).toEqual(expected);
  });

  it('puts each rule with the fields it checks, and keeps rules that name no field for the object', () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          required: ['a'],
          'x-kubernetes-validations': [
            { rule: 'has(self.a) == has(self.b)', message: 'a and b go together' },
            { rule: 'size(self) > 0', message: 'not empty' },
          ],
          properties: {
            a: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'x'", message: 'not x' }] },
            b: { type: 'string', default: 'y' },
            list: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
          },
        },
      },
    };
    const sections = sectionsOf(schema);
    expect(sections.map((s) => s.path)).toEqual(['', 'spec', 'spec.list[]']);
    const spec = sections[1]!;
    expect(spec.rows.map((r) => [r.path, r.required, r.validations, r.section])).toEqual([
      ['spec.a', true, ['not x', 'a and b go together'], undefined],
      ['spec.b', false, ['a and b go together'], undefined],
      ['spec.list', false, [], 'spec.list[]'],
    ]);
    expect(spec.objectRules).toEqual(['not empty']);
    expect(fieldPaths(schema)).toEqual(['spec', 'spec.a', 'spec.b', 'spec.list', 'spec.list[].name']);
  });

  it.each([
    ['angle brackets, which would vanish as HTML', 's3://<bucket>/<name>', 's3://&lt;bucket&gt;/&lt;name&gt;'],
    ['emphasis and table syntax', 'kubernetes.*.x | a_b', 'kubernetes.\\*.x \\| a\\_b'],
    ['line breaks', 'one\n  two', 'one two'],
  ])('shows CRD text as written: %s', (_case, text, expected) => {
    expect(prose(text)).toBe(expected);
  });

  it('links sections with the anchors GitHub gives their headings', () => {
    expect(anchorOf('spec.volumes[].configMap.items[]')).toBe('specvolumesconfigmapitems');
    expect(anchorOf('FlinkSession')).toBe('flinksession');
    const crd: Crd = {
      spec: {
        group: 'example.io',
        names: { kind: 'Thing', plural: 'things', shortNames: ['th'] },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { apiVersion: { type: 'string' }, spec: { type: 'object', properties: { a: { type: 'string' } } } },
              },
            },
          },
        ],
      },
    };
    const text = renderReference(crd);
    expect(text).toContain('| [`spec`](#spec) | object |');
    expect(text).toContain('## `spec`');
    expect(text).toContain('| `apiVersion` | string |  |  |  |  | example.io/v1 |');
    expect(text.endsWith('\n')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: FlinkSessionSpec;
}

function readExample(): { text: string; manifest: Manifest } {
  const text = readFileSync(EXAMPLE, 'utf8');
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents) || documents.length !== 1) throw new Error('the example must be one YAML document');
  const document = documents[0]!;
  if (document.errors.length > 0) throw new Error(document.errors.map((e) => e.message).join('; '));
  return { text, manifest: document.toJS() as Manifest };
}

/** The schema's field paths the value sets, and keys the schema does not know (the API server refuses those). */
function fieldsSet(schema: Schema, value: unknown, prefix = ''): { set: string[]; unknown: string[] } {
  const set: string[] = [];
  const unknown: string[] = [];
  if (value === null || typeof value !== 'object') return { set, unknown };
  const items = Array.isArray(value) ? value : [value];
  const properties = schema.properties ?? {};
  for (const item of items as Array<Record<string, unknown>>) {
    for (const [key, child] of Object.entries(item)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      const field = properties[key];
      if (!field) {
        unknown.push(path);
        continue;
      }
      set.push(path);
      const nested = field.properties ? field : field.type === 'array' && field.items?.properties ? field.items : undefined;
      if (nested) {
        const inner = fieldsSet(nested, child, nested === field ? path : `${path}[]`);
        set.push(...inner.set);
        unknown.push(...inner.unknown);
      }
    }
  }
  return { set: [...new Set(set)], unknown };
}

/** Fields left out of the example on purpose, because they exclude the one it uses: shown commented out. */
const COMMENTED_ALTERNATIVES = [
  's3.accessKey',
  's3.secretKey',
  'config.logback-console.xml',
  'volumeMounts[].subPathExpr',
  'security.kerberos.krb5',
  'security.kerberos.base64Keytab',
  'applicationConfig',
  'applicationConfig.jarPath',
  'applicationConfig.args',
  'applicationConfig.parallelism',
];

describe('docs/example-flinksession.yaml', () => {
  const specSchema = readCrd().spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;
  const { text, manifest } = readExample();
  const spec = manifest.spec;
  const ref: SessionRef = { namespace: 'analytics', name: manifest.metadata.name, uid: 'uid-1', generation: 1 };

  it('is one FlinkSession manifest without a namespace', () => {
    expect(manifest).toMatchObject({ apiVersion: FLINKSESSION_API_VERSION, kind: FLINKSESSION_KIND });
    expect(manifest.metadata.namespace).toBeUndefined();
  });

  it('sets every field of the spec, or shows it commented out where it excludes the one set', () => {
    const { set, unknown } = fieldsSet(specSchema, spec);
    expect(unknown).toEqual([]);
    const notSet = fieldPaths(specSchema).filter((path) => !set.includes(path));
    expect(notSet).toEqual(COMMENTED_ALTERNATIVES);
    const commentedKeys = [...text.matchAll(/^\s*#\s*([A-Za-z0-9_.-]+):/gm)].map((match) => match[1]!);
    for (const path of notSet) {
      expect(
        commentedKeys.some((key) => path === key || path.endsWith(`.${key}`)),
        `a commented-out line for ${path}`,
      ).toBe(true);
    }
  });

  it("passes the operator's own checks", () => {
    expect(validateSpec(spec)).toEqual([]);
  });

  it('renders what its comments say', () => {
    const options = Object.fromEntries(renderFlinkOptions(ref, spec));
    expect(options).toMatchObject({
      'kubernetes.cluster-id': 'example-analytics',
      'kubernetes.container.image.ref': spec.image,
      'kubernetes.container.image.pull-secrets': 'registry-credentials',
      'kubernetes.service-account': 'flink',
      'kubernetes.jobmanager.cpu.amount': '1',
      'kubernetes.taskmanager.cpu.amount': '2',
      'jobmanager.memory.off-heap.size': '128m',
      'taskmanager.memory.network.min': '128m',
      'taskmanager.memory.network.max': '512m',
      'taskmanager.memory.managed.size': '1g',
      'taskmanager.numberOfTaskSlots': '4',
      's3.endpoint': 'http://minio.storage:9000',
      's3.path.style.access': 'true',
      'state.backend.type': 'hashmap',
      'execution.checkpointing.incremental': 'true',
      'execution.checkpointing.dir': 's3://flink-state/example-analytics/flink/checkpoints',
      'execution.checkpointing.savepoint-dir': 's3://flink-state/example-analytics/flink/savepoints',
      'jobmanager.archive.fs.dir': 's3://flink-state/example-analytics/flink/archive',
      'historyserver.archive.fs.dir': 's3://flink-state/example-analytics/flink/completed-jobs',
      'kubernetes.env.secretKeyRef': 'env:AWS_ACCESS_KEY_ID,secret:flink-s3,key:accessKey;env:AWS_SECRET_ACCESS_KEY,secret:flink-s3,key:secretKey',
      'high-availability.type': 'zookeeper',
      'high-availability.zookeeper.quorum': 'zk-0.zk:2181,zk-1.zk:2181,zk-2.zk:2181',
      'high-availability.zookeeper.path.root': '/flink',
      'high-availability.storageDir': 's3://flink-state/example-analytics/flink/ha/metadata',
      'kubernetes.jobmanager.node-selector': 'node-role.example.com/flink:true',
      'kubernetes.taskmanager.node-selector': 'node-role.example.com/flink:true',
      'security.kerberos.login.principal': 'flink/analytics@EXAMPLE.COM',
      'security.kerberos.login.contexts': 'Client,KafkaClient',
      'security.kerberos.login.use-ticket-cache': 'false',
      'env.java.default-opts.all': '-XX:+UseG1GC',
    });
    for (const key of ['taskmanager.memory.network.fraction', 'taskmanager.memory.managed.fraction', 'taskmanager.memory.managed.min', 'parallelism.default']) {
      expect(options).not.toHaveProperty(key);
    }
    expect(configFileMounts(spec)).toEqual([
      { key: 'flink-conf.yaml', fileName: 'config.yaml' },
      { key: 'log4j-console.properties', fileName: 'log4j-console.properties' },
    ]);
    const pod = renderLaunchJob(ref, spec, { attempt: 0, tag: 'ab12cd' }).spec!.template.spec!;
    expect(pod).toMatchObject({ serviceAccountName: 'flink', imagePullSecrets: [{ name: 'registry-credentials' }], nodeSelector: spec.nodeSelector });
    expect(pod.containers[0]!.command).toEqual(['/opt/flink/bin/kubernetes-session.sh']);
    expect(pod.volumes?.map((v) => v.name)).not.toContain('shared-data');
    const taskManager = podTemplate(ref, spec, 'taskmanager').spec!;
    expect(taskManager.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(taskManager.containers[0]!.volumeMounts?.map((m) => m.name)).toEqual(spec.volumeMounts?.map((m) => m.name));
  });

  it('is a valid fixture of test/crd, so the real API server checks it', () => {
    expect(realpathSync(fileURLToPath(EXAMPLE_FIXTURE))).toBe(realpathSync(fileURLToPath(EXAMPLE)));
  });
});
