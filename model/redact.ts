// Secret values never leave the cluster: before a spec goes into a Temporal signal (and so into the
// workflow history), inline credentials and secret values in config files are replaced. Activities that need them read the object itself.
import { KEYED_CONFIG_FILES, redactConfigSecrets } from './config-secrets.ts';
import type { FlinkSessionSpec } from './flinksession.ts';

export const REDACTED = '<redacted>';

export function redactSpec(spec: FlinkSessionSpec): FlinkSessionSpec {
  const copy = structuredClone(spec);
  if (copy.s3?.accessKey !== undefined) copy.s3.accessKey = REDACTED;
  if (copy.s3?.secretKey !== undefined) copy.s3.secretKey = REDACTED;
  const kerberos = copy.security?.kerberos;
  if (kerberos?.base64Keytab !== undefined) kerberos.base64Keytab = REDACTED;
  // Validation refuses secrets in config files; the signal that brings them must not carry them either.
  for (const file of KEYED_CONFIG_FILES) {
    const text = copy.config?.[file];
    if (text) copy.config![file] = redactConfigSecrets(text, REDACTED);
  }
  return copy;
}
