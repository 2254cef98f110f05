import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { FlinkSessionSpec, SessionRef } from './flinksession.ts';
import { renderLaunchJob } from './launch-job.ts';
import { configFileMounts, renderSessionFiles } from './session-files.ts';

const session: SessionRef = { namespace: 'flink', name: 'demo', uid: 'uid-1', generation: 7 };

describe('renderLaunchJob', () => {
  const spec: FlinkSessionSpec = {
    image: 'flink:1.20',
    sa: 'flink-sa',
    imageSecret: 'registry',
    nodeSelector: { pool: 'flink' },
    s3: { endPoint: 'minio:9000', bucket: 'state', accessKey: 'AKIA-INLINE', secretKey: 'very-secret-value' },
    config: { 'flink-conf.yaml': 'a.b: c\n' },
  };
  const job = renderLaunchJob(session, spec, { attempt: 0, tag: 'ab12cd' });
  const pod = job.spec!.template.spec!;
  const container = pod.containers[0]!;

  it('is named after session, generation and attempt, owned by the FlinkSession, and bounded', () => {
    expect(job.metadata?.name).toBe('demo-launch-g7-ab12cd-0');
    expect(renderLaunchJob(session, spec, { attempt: 1, tag: 'ab12cd' }).metadata?.name).toBe('demo-launch-g7-ab12cd-1');
    expect(job.metadata?.ownerReferences).toEqual([
      { apiVersion: 'flink.session-operator.io/v1', kind: 'FlinkSession', name: 'demo', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
    ]);
    expect(job.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'flink-session-operator',
      'flink.session-operator.io/session': 'demo',
      'flink.session-operator.io/generation': '7',
    });
    expect(job.spec).toMatchObject({ backoffLimit: 2, ttlSecondsAfterFinished: 3600, activeDeadlineSeconds: 600 });
    expect(pod).toMatchObject({
      restartPolicy: 'Never',
      serviceAccountName: 'flink-sa',
      imagePullSecrets: [{ name: 'registry' }],
      nodeSelector: { pool: 'flink' },
    });
  });

  it('runs kubernetes-session.sh with one -Dkey=value token per option, no shell', () => {
    expect(container.command).toEqual(['/opt/flink/bin/kubernetes-session.sh']);
    expect(container.args).toContain('-Dkubernetes.cluster-id=demo');
    expect(container.args).toContain('-Dkubernetes.container.image.ref=flink:1.20');
    expect(container.args!.every((arg) => arg.startsWith('-D'))).toBe(true);
    expect(container.command!.concat(container.args!)).not.toContain('sh');
  });

  it('keeps secret values out of the Job', () => {
    const text = JSON.stringify(job);
    expect(text).not.toContain('very-secret-value');
    expect(text).not.toContain('AKIA-INLINE');
  });

  it("mounts the user's config file over the image's, under the name the Flink version reads", () => {
    expect(container.volumeMounts).toContainEqual({
      name: 'operator-files',
      mountPath: '/opt/flink/conf/config.yaml',
      subPath: 'flink-conf.yaml',
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({ name: 'operator-files', configMap: { name: 'demo-flink-files' } });
  });

  it('runs flink run-application in application mode, with the jar and its arguments last', () => {
    const app = renderLaunchJob(
      session,
      { image: 'f', applicationConfig: { jarPath: 'local:///opt/job.jar', args: ['--in', 'x; rm -rf /'] } },
      { attempt: 0, tag: 'ab12cd' },
    );
    const c = app.spec!.template.spec!.containers[0]!;
    expect(c.command).toEqual(['/opt/flink/bin/flink']);
    expect(c.args!.slice(0, 3)).toEqual(['run-application', '--target', 'kubernetes-application']);
    expect(c.args!.slice(-3)).toEqual(['local:///opt/job.jar', '--in', 'x; rm -rf /']);
  });

  it('mounts the keytab Secret and krb5.conf for Flink to ship', () => {
    const k = renderLaunchJob(
      session,
      { image: 'f', security: { kerberos: { principal: 'p@R', keytabSecret: { name: 'kt', key: 'flink.keytab' }, krb5ConfigMap: { name: 'krb5' } } } },
      { attempt: 0, tag: 'ab12cd' },
    );
    const p = k.spec!.template.spec!;
    expect(p.volumes).toContainEqual({ name: 'kerberos-keytab', secret: { secretName: 'kt', items: [{ key: 'flink.keytab', path: 'krb5.keytab' }] } });
    expect(p.volumes).toContainEqual({ name: 'kerberos-krb5', configMap: { name: 'krb5', items: [{ key: 'krb5.conf', path: 'krb5.conf' }] } });
    expect(p.containers[0]!.volumeMounts!.map((m) => m.mountPath)).toEqual(
      expect.arrayContaining(['/opt/flink-session-operator/kerberos/krb5.keytab', '/opt/flink-session-operator/kerberos/krb5.conf']),
    );
  });
});

describe('configFileMounts', () => {
  it.each([
    ['1.18', 'flink-conf.yaml'],
    ['1.19', 'config.yaml'],
    ['1.20', 'config.yaml'],
    ['2.1', 'config.yaml'],
  ])('Flink %s reads %s', (flinkVersion, fileName) => {
    expect(configFileMounts({ image: 'f', flinkVersion, config: { 'flink-conf.yaml': 'x: 1' } })).toEqual([{ key: 'flink-conf.yaml', fileName }]);
  });
});

describe('renderSessionFiles', () => {
  it.each([
    [
      'Required',
      {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { app: 'demo', component: 'taskmanager' } }, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    ],
    [
      'Preferred',
      {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: { labelSelector: { matchLabels: { app: 'demo', component: 'taskmanager' } }, topologyKey: 'kubernetes.io/hostname' },
          },
        ],
      },
    ],
  ] as const)('spreads TaskManagers over nodes when balancedSchedule is %s', (balancedSchedule, podAntiAffinity) => {
    const files = renderSessionFiles(session, { image: 'f', balancedSchedule });
    const tm = parse(files.data!['pod-template-taskmanager.yaml']!);
    const jm = parse(files.data!['pod-template-jobmanager.yaml']!);
    expect(tm.spec.affinity).toEqual({ podAntiAffinity });
    expect(jm.spec.affinity).toBeUndefined();
  });

  it('puts volumes and mounts into both templates, and nothing when not needed', () => {
    const files = renderSessionFiles(session, {
      image: 'f',
      volumes: [{ name: 'data', emptyDir: {} }],
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
      config: { 'log4j-console.properties': 'rootLogger.level = INFO' },
    });
    const jm = parse(files.data!['pod-template-jobmanager.yaml']!);
    expect(jm.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(jm.spec.containers).toEqual([{ name: 'flink-main-container', volumeMounts: [{ name: 'data', mountPath: '/data' }] }]);
    expect(files.data!['log4j-console.properties']).toBe('rootLogger.level = INFO');
    expect(renderSessionFiles(session, { image: 'f' }).data).toEqual({});
  });
});
