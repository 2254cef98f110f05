// The FlinkSession reference (docs/flinksession-reference.md) from the CRD's OpenAPI schema. Pure: the
// parsed CRD in, Markdown out; generate.ts does the file I/O. One section per object of the schema, one
// table row per field, with the CEL messages that check it (x-kubernetes-validations).

/** A structural schema node of a CRD, as far as the reference reads it. */
export interface Schema {
  type?: string;
  format?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  pattern?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: ValidationRule[];
}

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
}

/** The parts of a CustomResourceDefinition the reference reads. */
export interface Crd {
  spec: {
    group: string;
    names: { kind: string; plural: string; singular?: string; shortNames?: string[]; categories?: string[] };
    scope: string;
    versions: Array<{
      name: string;
      served?: boolean;
      storage?: boolean;
      subresources?: { status?: unknown };
      additionalPrinterColumns?: PrinterColumn[];
      schema: { openAPIV3Schema: Schema };
    }>;
  };
}

export interface FieldRow {
  /** e.g. spec.s3.bucket, spec.volumes[].name */
  path: string;
  type: string;
  required: boolean;
  default?: unknown;
  enum?: unknown[];
  /** Bounds, lengths, counts, patterns, in words. */
  limits: string[];
  description: string;
  /** Messages of the CEL rules that check this field: its own, and its object's that name it. */
  validations: string[];
  /** Path of the section that documents this field's own fields, when it has one. */
  section?: string;
}

export interface Section {
  /** '' for the resource itself; else a field path, `[]` marking array items. */
  path: string;
  description: string;
  rows: FieldRow[];
  /** Messages of the object's own rules that name none of its fields. */
  objectRules: string[];
}

/** Whether a schema is documented in a section of its own: an object with named fields. */
function hasFields(schema: Schema | undefined): schema is Schema & { properties: Record<string, Schema> } {
  return schema !== undefined && schema.properties !== undefined && Object.keys(schema.properties).length > 0;
}

/** The schema whose fields a field's section lists: the object itself, or an array's item object. */
function sectionSchema(schema: Schema): { schema: Schema & { properties: Record<string, Schema> }; suffix: string } | undefined {
  if (hasFields(schema)) return { schema, suffix: '' };
  if (schema.type === 'array' && hasFields(schema.items)) return { schema: schema.items, suffix: '[]' };
  return undefined;
}

export function typeOf(schema: Schema): string {
  if (schema['x-kubernetes-int-or-string']) return 'integer or string';
  if (schema.type === 'array') return `[]${schema.items ? typeOf(schema.items) : 'any'}`;
  if (schema.type === 'object' && typeof schema.additionalProperties === 'object') return `map[string]${typeOf(schema.additionalProperties)}`;
  const type = schema.type ?? 'any';
  return schema.format ? `${type} (${schema.format})` : type;
}

export function limitsOf(schema: Schema): string[] {
  const limits: string[] = [];
  if (schema.minimum !== undefined) limits.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) limits.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) limits.push(`length ≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) limits.push(`length ≤ ${schema.maxLength}`);
  if (schema.minItems !== undefined) limits.push(`≥ ${schema.minItems} items`);
  if (schema.maxItems !== undefined) limits.push(`≤ ${schema.maxItems} items`);
  if (schema.minProperties !== undefined) limits.push(`≥ ${schema.minProperties} entries`);
  if (schema.maxProperties !== undefined) limits.push(`≤ ${schema.maxProperties} entries`);
  if (schema.pattern !== undefined) limits.push(`pattern ${code(schema.pattern)}`);
  if (schema['x-kubernetes-list-type'] === 'map') {
    limits.push(`one item per ${(schema['x-kubernetes-list-map-keys'] ?? []).map(code).join(', ')}`);
  } else if (schema['x-kubernetes-list-type'] === 'set') {
    limits.push('unique items');
  }
  if (typeof schema.additionalProperties === 'object') {
    limits.push(...limitsOf(schema.additionalProperties).map((limit) => `values: ${limit}`));
  }
  return limits;
}

/** A rule's message as the API server shows it (a messageExpression is computed, so its text is shown). */
function messageOf(rule: ValidationRule): string {
  if (rule.message) return rule.message;
  if (rule.messageExpression) return `(computed) ${rule.messageExpression}`;
  return `failed rule: ${rule.rule}`;
}

/** CEL escapes property names that are not identifiers (Kubernetes' rules for x-kubernetes-validations). */
function unescapeCelName(name: string): string {
  return name.replaceAll('__underscores__', '__').replaceAll('__dot__', '.').replaceAll('__dash__', '-').replaceAll('__slash__', '/');
}

/**
 * The fields of an object a rule on that object is about: its fieldPath when given, else every field
 * the expression reads as `self.<field>`.
 */
export function fieldsOfRule(rule: ValidationRule, fields: readonly string[]): string[] {
  const fieldPath = /^\.([A-Za-z0-9_-]+)/.exec(rule.fieldPath ?? '')?.[1];
  if (fieldPath !== undefined) return fields.includes(fieldPath) ? [fieldPath] : [];
  const named = new Set<string>();
  for (const match of rule.rule.matchAll(/\bself\.([A-Za-z_][A-Za-z0-9_]*)/g)) named.add(unescapeCelName(match[1]!));
  return fields.filter((field) => named.has(field));
}

/** Every section, parents before children, in the schema's own field order. */
export function sectionsOf(root: Schema): Section[] {
  const sections: Section[] = [];
  const visit = (path: string, schema: Schema & { properties: Record<string, Schema> }): void => {
    const names = Object.keys(schema.properties);
    const attributed = new Map<string, string[]>(names.map((name) => [name, []]));
    const objectRules: string[] = [];
    for (const rule of schema['x-kubernetes-validations'] ?? []) {
      const fields = fieldsOfRule(rule, names);
      if (fields.length === 0) objectRules.push(messageOf(rule));
      for (const field of fields) attributed.get(field)!.push(messageOf(rule));
    }
    const section: Section = { path, description: schema.description ?? '', rows: [], objectRules };
    sections.push(section);
    const children: Array<[string, Schema & { properties: Record<string, Schema> }]> = [];
    for (const name of names) {
      const field = schema.properties[name]!;
      const fieldPath = path === '' ? name : `${path}.${name}`;
      const nested = sectionSchema(field);
      const own = nested?.suffix === '' ? [] : (field['x-kubernetes-validations'] ?? []).map(messageOf);
      const row: FieldRow = {
        path: fieldPath,
        type: typeOf(field),
        required: (schema.required ?? []).includes(name),
        ...(field.default !== undefined ? { default: field.default } : {}),
        ...(field.enum !== undefined ? { enum: field.enum } : {}),
        limits: limitsOf(field),
        description: field.description ?? '',
        validations: [...own, ...attributed.get(name)!],
        ...(nested ? { section: `${fieldPath}${nested.suffix}` } : {}),
      };
      section.rows.push(row);
      if (nested) children.push([`${fieldPath}${nested.suffix}`, nested.schema]);
    }
    for (const [childPath, child] of children) visit(childPath, child);
  };
  if (!hasFields(root)) throw new Error('the CRD schema has no properties to document');
  visit('', root);
  return sections;
}

/** Every field path under `schema` (arrays of objects as `name[]`), parents before children. */
export function fieldPaths(schema: Schema, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    paths.push(path);
    const nested = sectionSchema(field);
    if (nested) paths.push(...fieldPaths(nested.schema, `${path}${nested.suffix}`));
  }
  return paths;
}

/** GitHub's heading anchors: lower case, punctuation other than '-' and '_' dropped, spaces to '-'. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');
}

/** One line: table cells and list items cannot hold line breaks. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

/**
 * Text from the CRD as Markdown that shows it as written: `<bucket>` would otherwise vanish as an HTML
 * tag, `*` and `_` could start emphasis, and `|` would end a table cell.
 */
export function prose(text: string): string {
  return oneLine(text)
    .replace(/[\\`*_[\]|]/g, (c) => `\\${c}`)
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

/** A code span; inside a table only `|` needs escaping (GFM splits cells before reading code spans). */
export function code(text: string): string {
  const body = oneLine(text).replaceAll('|', '\\|');
  return body.includes('`') ? `\`\` ${body} \`\`` : `\`${body}\``;
}

const literal = (value: unknown): string => code(JSON.stringify(value) ?? String(value));

/** The heading text of a section: the resource's kind, or the object's path as code. */
function heading(path: string, kind: string): string {
  return path === '' ? prose(kind) : code(path);
}

/** The anchor GitHub gives a section's heading (its text without the code span's backticks). */
function sectionAnchor(path: string, kind: string): string {
  return anchorOf(path === '' ? kind : path);
}

function renderSection(section: Section, kind: string): string[] {
  const lines = [`## ${heading(section.path, kind)}`, ''];
  if (section.description) lines.push(prose(section.description), '');
  lines.push('| Field | Type | Required | Default | Allowed values | Limits | Description | Validation (CEL messages) |', '|---|---|---|---|---|---|---|---|');
  for (const row of section.rows) {
    const cells = [
      row.section ? `[${code(row.path)}](#${sectionAnchor(row.section, kind)})` : code(row.path),
      prose(row.type),
      row.required ? 'yes' : '',
      row.default !== undefined ? literal(row.default) : '',
      (row.enum ?? []).map((value) => code(String(value))).join(', '),
      row.limits.join('; '),
      prose(row.description),
      row.validations.map(prose).join('<br><br>'),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  if (section.objectRules.length > 0) {
    lines.push(`Rules on ${section.path === '' ? 'the resource' : code(section.path)} as a whole:`, '');
    for (const message of section.objectRules) lines.push(`- ${prose(message)}`);
    lines.push('');
  }
  return lines;
}

/** Descriptions of the resource's own fields, which a CRD usually leaves empty, from the CRD's facts. */
function describeRootFields(section: Section, apiVersion: string, kind: string): void {
  const facts: Record<string, string> = {
    apiVersion,
    kind,
    metadata: 'Standard Kubernetes object metadata.',
  };
  for (const row of section.rows) {
    if (row.description === '' && facts[row.path] !== undefined) row.description = facts[row.path]!;
  }
}

/** The whole reference document for the CRD's storage version. */
export function renderReference(crd: Crd): string {
  const { group, names, scope } = crd.spec;
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  if (!version) throw new Error('the CRD has no versions');
  const apiVersion = `${group}/${version.name}`;
  const sections = sectionsOf(version.schema.openAPIV3Schema);
  describeRootFields(sections[0]!, apiVersion, names.kind);
  const shortNames = names.shortNames ?? [];
  const facts = [
    code(`apiVersion: ${apiVersion}`),
    code(`kind: ${names.kind}`),
    `plural ${code(names.plural)}`,
    ...(shortNames.length > 0 ? [`short name${shortNames.length > 1 ? 's' : ''} ${shortNames.map(code).join(', ')}`] : []),
    ...(names.categories?.length ? [`category ${names.categories.map(code).join(', ')}`] : []),
    scope === 'Namespaced' ? 'namespaced' : 'cluster-scoped',
    ...(version.subresources?.status !== undefined ? ['status subresource'] : []),
  ];
  const lines = [
    `# ${prose(names.kind)} reference`,
    '',
    '<!-- Generated from crds/flinksession.yaml by tools/crd-reference/generate.ts: ' +
      'run `npm run generate:docs` after editing the CRD. Do not edit by hand. -->',
    '',
    `${facts.join(' · ')}.`,
    '',
    "Every table below is the CRD's OpenAPI schema, which the API server enforces on `kubectl apply`:",
    'unknown fields are refused, and a **Validation** cell lists the messages of the CEL rules',
    '(`x-kubernetes-validations`) that check the field, as `kubectl` prints them when a rule fails.',
    'Before a redeploy the operator also checks what the schema cannot (memory budgets, supported Flink',
    'versions, volume mounts that name a volume): such a problem refuses the change without touching the',
    'running cluster and shows up as an `InvalidSpec` event and in `status.lastError`',
    '(see [troubleshooting](troubleshooting.md)).',
    '',
    'Flink option keys named in descriptions are the classic ones; the operator renders the key that the',
    "session's `flinkVersion` reads (for example `kubernetes.container.image.ref` from Flink 1.17 on,",
    '`execution.checkpointing.dir` from 1.20 on). A complete manifest with every field explained:',
    '[example-flinksession.yaml](example-flinksession.yaml).',
    '',
  ];
  const columns = version.additionalPrinterColumns ?? [];
  if (columns.length > 0) {
    lines.push(`${code(`kubectl get ${shortNames[0] ?? names.plural}`)} shows:`, '', '| Column | Type | From |', '|---|---|---|');
    for (const column of columns) lines.push(`| ${prose(column.name)} | ${prose(column.type)} | ${code(column.jsonPath)} |`);
    lines.push('');
  }
  lines.push('Objects:', '');
  for (const section of sections) {
    const depth = section.path === '' ? 0 : section.path.split('.').length;
    lines.push(`${'  '.repeat(depth)}- [${heading(section.path, names.kind)}](#${sectionAnchor(section.path, names.kind)})`);
  }
  lines.push('');
  for (const section of sections) lines.push(...renderSection(section, names.kind));
  return `${lines.join('\n').trimEnd()}\n`;
}
