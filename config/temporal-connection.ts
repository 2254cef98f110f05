// Temporal connection options from settings (TLS files are read here, once, at start).
import { readFileSync } from 'node:fs';
import type { TemporalSettings } from '../config/temporal.ts';

export interface ConnectionOptions {
  address: string;
  tls?: { clientCertPair?: { crt: Buffer; key: Buffer }; serverRootCACertificate?: Buffer } | true;
  apiKey?: string;
}

export function temporalConnectionOptions(settings: TemporalSettings): ConnectionOptions {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error: unknown) {
      throw new Error(`cannot read the Temporal ${what} ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const tls = settings.tls;
  const tlsOptions = tls
    ? {
      ...(tls.certFile && tls.keyFile ? { clientCertPair: { crt: read(tls.certFile, 'TLS client certificate'), key: read(tls.keyFile, 'TLS client key') } } : {}),
      ...(tls.caFile ? { serverRootCACertificate: read(tls.caFile, 'TLS CA certificate') } : {}),
    }
    : undefined;
  return {
    address: settings.address,
    ...(tlsOptions ? { tls: Object.keys(tlsOptions).length > 0 ? tlsOptions : true } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey, ...(tlsOptions ? {} : { tls: true as const }) } : {}),
  };
}
