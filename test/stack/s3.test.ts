import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackS3Client } from '../../stack/s3.ts';
import { stackEndpoints, uniqueName } from '../support/stack.ts';

describe('S3 (versitygw, real server)', () => {
  let s3: S3Client;
  const bucket = uniqueName('smoke');

  beforeAll(async () => {
    s3 = stackS3Client(stackEndpoints().s3);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(() => s3?.destroy());

  it('puts and lists objects', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/one.txt', Body: 'one' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/two.txt', Body: 'two' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/' }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(['a/one.txt', 'a/two.txt']);
  });

  it('keeps versions and delete markers on a versioned bucket, and deletes them by version id', async () => {
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const key = 'v/state.bin';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'first' }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'second' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'v/' }));
    expect(versions.Versions?.length).toBe(2);
    expect(versions.DeleteMarkers?.length).toBe(1);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'v/' }))).KeyCount).toBe(0);

    for (const { Key, VersionId } of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key, VersionId }));
    }
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'v/' }));
    expect(after.Versions ?? []).toEqual([]);
    expect(after.DeleteMarkers ?? []).toEqual([]);
  });
});
