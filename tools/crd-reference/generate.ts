// Writes docs/flinksession-reference.md from crds/flinksession.yaml, so the reference and the CRD cannot
// drift apart (generate.test.ts fails when the committed document differs from what this writes).
//   npm run generate:docs
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { renderReference, type Crd } from './reference.ts';

export const CRD = new URL('../../crds/flinksession.yaml', import.meta.url);
export const REFERENCE = new URL('../../docs/flinksession-reference.md', import.meta.url);

export function readCrd(): Crd {
  return parse(readFileSync(CRD, 'utf8')) as Crd;
}

export function generateReference(): string {
  return renderReference(readCrd());
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(REFERENCE, generateReference());
  console.log(`wrote ${REFERENCE.pathname}`);
}
