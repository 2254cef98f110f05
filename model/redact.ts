// Secret values never leave the cluster: before a spec goes into a Temporal signal (and so into the
// workflow history), inline credentials are replaced. Activities that need them read the object itself.
import type { FlinkSessionSpec } from './flinksession.ts';

export const REDACTED = '<redacted>';

export function redactSpec(spec: FlinkSessionSpec): FlinkSessionSpec {
  const copy = structuredClone(spec);
  if (copy.s3?.accessKey !== undefined) copy.s3.accessKey = REDACTED;
  if (copy.s3?.secretKey !== undefined) copy.s3.secretKey = REDACTED;
  const kerberos = copy.security?.kerberos;
  if (kerberos?.base64Keytab !== undefined) kerberos.base64Keytab = REDACTED;
  return copy;
}
