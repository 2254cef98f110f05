// Temporal connection options from settings (TLS files are read here, once, at start).
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.ts';
import type { TemporalSettings } from './temporal.ts';

export interface ConnectionOptions {
  address: string;
  tls?: { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer } | true;
  apiKey?: string;
}

function temporalConnectionOptions(settings: TemporalSettings): ConnectionOptions {
  const read = (file: string, what: string, variable: string): Buffer => {
    let content: Buffer;
    try {
      content = readFileSync(file);
    } catch (error: unknown) {
      throw new ConfigError(
        [`${variable}: cannot read the Temporal ${what} ${file} (${error instanceof Error ? error.message : String(error)})`],
        'Temporal TLS settings',
      );
    }
    if (!content.toString('latin1').includes('-----BEGIN ')) {
      throw new ConfigError(
        [`${variable}: ${file} is not a PEM file (no "-----BEGIN" line); the Temporal ${what} must be PEM-encoded`],
        'Temporal TLS settings',
      );
    }
    return content;
  };
  const tls = settings.tls;
  const tlsOptions = tls
    ? {
        ...(tls.certFile && tls.keyFile
          ? {
              clientCertPair: {
                crt: read(tls.certFile, 'TLS client certificate', 'TEMPORAL_TLS_CERT'),
                key: read(tls.keyFile, 'TLS client key', 'TEMPORAL_TLS_KEY'),
              },
            }
          : {}),
        ...(tls.caFile ? { serverRootCACertificate: read(tls.caFile, 'TLS CA certificate', 'TEMPORAL_TLS_CA') } : {}),
      }
    : undefined;
  return {
    address: settings.address,
    ...(tlsOptions ? { tls: Object.keys(tlsOptions).length > 0 ? tlsOptions : true } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey, ...(tlsOptions ? {} : { tls: true as const }) } : {}),
  };
}

/** Temporal could not be reached or refused the connection; the message says which setting to check. */
export class TemporalUnreachableError extends Error {}

/**
 * Connects with Connection (client) or NativeConnection (worker); a failure names the address and the
 * settings to check instead of a bare gRPC error.
 */
export async function connectTemporal<T>(kind: { connect(options: ConnectionOptions): Promise<T> }, settings: TemporalSettings): Promise<T> {
  const options = temporalConnectionOptions(settings);
  try {
    return await kind.connect(options);
  } catch (error: unknown) {
    const detail = error instanceof Error ? error.message : String(error);
    const hint =
      settings.tls || settings.apiKey
        ? 'check TEMPORAL_ADDRESS, the TLS files (TEMPORAL_TLS_CERT/KEY/CA) and TEMPORAL_API_KEY'
        : 'is the server running? Check TEMPORAL_ADDRESS (or --temporal-address); Temporal Cloud needs TEMPORAL_API_KEY or TEMPORAL_TLS_CERT/KEY';
    throw new TemporalUnreachableError(`cannot connect to Temporal at ${settings.address}: ${detail} (${hint})`);
  }
}
