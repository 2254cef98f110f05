import { describe, expect, it } from 'vitest';
import { REDACTED, redactSpec } from './redact.ts';

describe('redactSpec', () => {
  it('replaces inline S3 keys and the inline keytab, and leaves the rest and the input alone', () => {
    const spec = {
      image: 'f',
      s3: { endPoint: 'e', bucket: 'b', accessKey: 'AK', secretKey: 'SK' },
      security: { kerberos: { principal: 'p', base64Keytab: 'a2V5' } },
    };
    const redacted = redactSpec(spec);
    expect(redacted.s3).toEqual({ endPoint: 'e', bucket: 'b', accessKey: REDACTED, secretKey: REDACTED });
    expect(redacted.security?.kerberos?.base64Keytab).toBe(REDACTED);
    expect(JSON.stringify(redacted)).not.toMatch(/AK"|SK"|a2V5/);
    expect(spec.s3.accessKey).toBe('AK');
  });

  it('leaves a spec without inline secrets as it was', () => {
    const spec = { image: 'f', s3: { endPoint: 'e', bucket: 'b', credentialsSecret: { name: 's' } } };
    expect(redactSpec(spec)).toEqual(spec);
  });
});
