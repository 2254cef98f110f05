// Secret values written into the spec's config files (`s3.secret-key: …` in flink-conf.yaml) would
// reach the files ConfigMap, Flink's logs and the workflow history. Such keys are found here, so that
// validation refuses them with a pointer to s3.credentialsSecret, and redacted, so that the watcher's
// signals never carry their values. Pure.
import type { FlinkSessionSpec } from './flinksession.ts';

/** The config files of the spec that hold `key: value` or `key=value` lines. */
export const KEYED_CONFIG_FILES = ['flink-conf.yaml', 'log4j-console.properties'] as const;
type KeyedConfigFile = (typeof KEYED_CONFIG_FILES)[number];

/** Options that name Secrets (mounts, env references) rather than hold a secret value. */
const SECRET_REFERENCES = ['kubernetes.secrets', 'kubernetes.env.secretkeyref'];

/** Whether an option key (dotted, any case) is one that holds a secret value. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  if (SECRET_REFERENCES.some((ref) => k === ref || k.startsWith(`${ref}.`))) return false;
  return /secret|password|passwd/.test(k) || /access[-._]?key(id)?$/.test(k) || /(^|[-._])(token|credentials?)$/.test(k);
}

/** One `key: value` / `key = value` line, with its indentation (nested YAML). */
const KEY_LINE = /^(\s*)([^\s#!:=][^:=]*?)(\s*[:=][ \t]*)(.*)$/;

interface KeyedLine {
  index: number;
  /** The dotted key, nested YAML keys joined with their parents. */
  key: string;
  /** Where the value starts in the line. */
  valueAt: number;
  value: string;
}

function keyedLines(text: string): KeyedLine[] {
  const parents: Array<{ indent: number; key: string }> = [];
  const found: KeyedLine[] = [];
  text.split('\n').forEach((line, index) => {
    const match = KEY_LINE.exec(line);
    if (!match || line.trimStart().startsWith('#')) return;
    const [, indent = '', key = '', separator = '', value = ''] = match;
    while (parents.length > 0 && parents.at(-1)!.indent >= indent.length) parents.pop();
    const dotted = [...parents.map((p) => p.key), key.trim()].join('.');
    if (value.trim() === '') parents.push({ indent: indent.length, key: key.trim() });
    else found.push({ index, key: dotted, valueAt: indent.length + key.length + separator.length, value });
  });
  return found;
}

/** The keys with a secret value in each of the spec's config files. */
export function configSecretKeys(spec: FlinkSessionSpec): Array<{ file: KeyedConfigFile; key: string }> {
  return KEYED_CONFIG_FILES.flatMap((file) => {
    const text = spec.config?.[file];
    return text
      ? keyedLines(text)
          .filter((l) => isSecretKey(l.key))
          .map((l) => ({ file, key: l.key }))
      : [];
  });
}

/** The file with the values of secret keys replaced by `marker` (the keys stay, for validation to name). */
export function redactConfigSecrets(text: string, marker: string): string {
  const lines = text.split('\n');
  for (const line of keyedLines(text)) {
    if (isSecretKey(line.key)) lines[line.index] = `${lines[line.index]!.slice(0, line.valueAt)}${marker}`;
  }
  return lines.join('\n');
}
