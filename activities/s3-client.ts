import { s3EndpointUrl } from '../model/flink-options.ts';
import { S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { migratedCredentialsSecretName, S3_ACCESS_KEY_KEY, S3_SECRET_KEY_KEY } from '../model/names.ts';
import type { S3Target } from './s3.ts';

export interface S3ClientFactoryDeps {
  /**
   * The data of Secret `name` in `namespace`, values already decoded: the Kubernetes API returns
   * them base64-encoded, and decoding is the caller's job (the worker's wiring), so this module
   * never sees the API's shapes. Rejects when the Secret cannot be read.
   */
  readSecret: (namespace: string, name: string) => Promise<Record<string, string>>;
  /** Name of the Secret the operator writes a spec's inline keys into (model/names.ts). */
  migratedSecretName?: (session: string) => string;
  /** Talk to this endpoint instead of the spec's, e.g. when the worker runs outside the cluster. */
  endpointOverride?: string;
}

/**
 * Makes `s3ClientFor(target)`: an S3 client for one session's bucket, set up the way S3-compatible
 * servers need (path-style addressing, checksums only where the API requires them). Credentials come
 * from the Secret the spec names (keys `accessKey`/`secretKey` unless it says otherwise), else from
 * the Secret holding a spec's migrated inline keys, else from the AWS SDK's default chain (environment,
 * web identity, instance role). The caller owns the client and calls `destroy()` when done.
 */
export function s3ClientFactory(deps: S3ClientFactoryDeps): (target: S3Target) => Promise<S3Client> {
  const migratedSecretName = deps.migratedSecretName ?? migratedCredentialsSecretName;

  return async function s3ClientFor(target: S3Target): Promise<S3Client> {
    const endPoint = deps.endpointOverride ?? target.endPoint;
    if (endPoint.trim() === '') {
      throw ApplicationFailure.nonRetryable(
        `s3.endPoint of session ${target.ref.namespace}/${target.ref.name} is empty: set it, e.g. http://minio.storage:9000`,
        'BadInput',
      );
    }
    const credentials = await credentialsFor(target);
    return new S3Client({
      endpoint: s3EndpointUrl(endPoint),
      region: 'us-east-1',
      ...(credentials ? { credentials } : {}),
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  };

  async function credentialsFor(target: S3Target): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined> {
    const reference = target.credentialsSecret ?? (target.inlineCredentials ? { name: migratedSecretName(target.ref.name) } : undefined);
    if (!reference) return undefined;
    const accessKeyKey = reference.accessKeyKey ?? S3_ACCESS_KEY_KEY;
    const secretKeyKey = reference.secretKeyKey ?? S3_SECRET_KEY_KEY;
    const data = await deps.readSecret(target.ref.namespace, reference.name);
    const accessKeyId = data[accessKeyKey];
    const secretAccessKey = data[secretKeyKey];
    if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey };
    const missing = [accessKeyId ? undefined : accessKeyKey, secretAccessKey ? undefined : secretKeyKey]
      .filter((key) => key !== undefined)
      .map((key) => JSON.stringify(key));
    const fix = target.credentialsSecret
      ? 'add it, or name the key that holds it in s3.credentialsSecret.accessKeyKey/secretKeyKey'
      : "the operator writes this Secret from the spec's inline s3.accessKey/secretKey; " +
        're-apply the FlinkSession, or better, move the keys into a Secret named by s3.credentialsSecret';
    throw ApplicationFailure.nonRetryable(
      `S3 credentials Secret ${target.ref.namespace}/${reference.name} has no value for ${missing.join(' and ')}: ${fix}`,
      'BadInput',
    );
  }
}
