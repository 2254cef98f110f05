// Generates the TypeScript model of each CRD (model/flinksession.generated.ts from crds/flinksession.yaml,
// model/flinksessionjob.generated.ts from crds/flinksessionjob.yaml), so the model and the CRD cannot
// drift apart (generate.test.ts fails when they differ).
//   npm run generate:model
import { readFileSync, writeFileSync } from 'node:fs';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { parse } from 'yaml';

export interface GeneratedModel {
  crd: string;
  /** The file written, under model/. */
  file: string;
  /** The type names of spec and status. */
  kind: string;
}

export const MODELS: readonly GeneratedModel[] = [
  { crd: 'flinksession.yaml', file: 'flinksession.generated.ts', kind: 'FlinkSession' },
  { crd: 'flinksessionjob.yaml', file: 'flinksessionjob.generated.ts', kind: 'FlinkSessionJob' },
];

export const generatedFile = (model: GeneratedModel): URL => new URL(`../../model/${model.file}`, import.meta.url);

type Schema = Record<string, unknown>;

/** Turns the CRD's structural schema into plain JSON Schema that json-schema-to-typescript reads. */
function toJsonSchema(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-') || key === 'default' || key === 'format') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub as Schema)]));
    } else if ((key === 'items' || key === 'additionalProperties') && value && typeof value === 'object') {
      out[key] = toJsonSchema(value as Schema);
    } else {
      out[key] = value;
    }
  }
  if (schema['x-kubernetes-int-or-string'] === true) {
    delete out.anyOf;
    out.type = ['integer', 'string'];
  }
  // Objects are closed, as the API server prunes unknown fields; maps say so with additionalProperties.
  if (out.type === 'object' && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

export async function generateModel(model: GeneratedModel = MODELS[0]!): Promise<string> {
  // merge: the CRD shares repeated field schemas with YAML anchors and merge keys (<<), as kubectl reads them.
  const crd = parse(readFileSync(new URL(`../../crds/${model.crd}`, import.meta.url), 'utf8'), { merge: true }) as {
    spec: { versions: Array<{ schema: { openAPIV3Schema: Schema } }> };
  };
  const root = crd.spec.versions[0]!.schema.openAPIV3Schema;
  const properties = root.properties as Record<string, Schema>;
  const options = { bannerComment: '', additionalProperties: false, style: { singleQuote: true, printWidth: 120 } } as const;
  const spec = await compile(toJsonSchema(properties.spec!) as JSONSchema, `${model.kind}Spec`, options);
  const status = await compile(toJsonSchema(properties.status!) as JSONSchema, `${model.kind}Status`, options);
  return [
    `// Generated from crds/${model.crd} by tools/generate-model/generate.ts (npm run generate:model). Do not edit.`,
    spec.trim(),
    status.trim(),
    '',
  ].join('\n\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const model of MODELS) {
    writeFileSync(generatedFile(model), await generateModel(model));
    console.log(`wrote ${generatedFile(model).pathname}`);
  }
}
