// A FlinkSessionJob's steps on Flink's REST: submit (stream the jar from https or S3 to /jars/upload,
// run it with the job's fixed id), wait until it runs, and stop it (cancel, or stop with a savepoint,
// whose asynchronous trigger is polled). Idempotent: a run whose id Flink already has is a duplicate
// (counted as done), a job Flink no longer knows is stopped, and a retried stop resumes its trigger.
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Readable } from 'node:stream';
import { parseFlinkDuration } from '../model/flink-duration.ts';
import { flinkJobId } from '../model/flink-job-id.ts';
import { jarRunRequest, rootCauseSummary, TERMINAL_JOB_STATES, type FlinkSessionJobSpec, type JobRef } from '../model/flinksessionjob.ts';
import type { SessionRef } from '../model/flinksession.ts';
import type { FlinkJobOnSession } from '../model/redeploy-jobs.ts';
import { FLINK_REST_PORT, restServiceName } from '../model/names.ts';
import { firstScheduledAt, heartbeatIfInActivity } from './heartbeat.ts';
import type { S3Target } from './s3.ts';
import { isNotFound } from '../kube/errors.ts';

export interface FlinkJobDeps {
  s3ClientFor: (target: S3Target) => Promise<S3Client>;
  /** FSO_REST_URL_TEMPLATE; without it Flink's REST Service in the cluster, http://<name>-rest.<namespace>.svc:8081. */
  restUrlTemplate?: string;
  /** FSO_JAR_MAX_BYTES: a longer jar is refused while it streams. */
  jarMaxBytes: number;
  /** FSO_JOB_DEADLINE_SECONDS: how long a job may take to run, or a savepoint to complete. */
  jobDeadlineSeconds: number;
  /** FSO_JOB_WATCH_SECONDS: how often watchFlinkJobs asks about the running jobs. */
  jobWatchSeconds: number;
  pollIntervalMs: number;
}

/**
 * Where the jar comes from: https, or an S3 bucket on the session's endpoint, with the session's
 * credentials or those of the job's jarCredentialsSecret (`credentialsField` names it in messages).
 */
export type JarSource = { kind: 'https'; url: string } | { kind: 's3'; url: string; target: S3Target; key: string; credentialsField?: string };

/** S3's answers that no retry changes: the credentials may not read the jar. */
const S3_REFUSALS = ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'];

type Session = Pick<SessionRef, 'namespace' | 'name'>;

export interface SubmitFlinkJobInput {
  session: Session;
  job: JobRef;
  spec: FlinkSessionJobSpec;
  jar: JarSource;
  /** A savepoint the job restores from (a change by upgradeMode savepoint); else spec.initialSavepointPath. */
  restoreFrom?: string;
}

export interface SubmitFlinkJobResult {
  jobId: string;
  /** Flink had the job already (a retried submission): nothing was uploaded or run again. */
  duplicate: boolean;
}

export interface StopFlinkJobInput {
  session: Session;
  jobId: string;
  /** Stop with a savepoint into this directory; without it the job is cancelled. */
  savepointDirectory?: string;
  /** Cancelled for last-state: the job's latest retained checkpoint is where its next run starts (refused when it has none). */
  fromCheckpoint?: boolean;
}

export interface StopFlinkJobResult {
  /** Flink's final state of the job; GONE when Flink does not know it (nothing to stop). */
  state: string;
  savepoint?: { path: string };
  /** With fromCheckpoint: the latest checkpoint (or savepoint) the job completed, retained by its cancel. */
  checkpoint?: { path: string };
}

/** A watched job that no longer runs: Flink ended it, or does not know it. */
export interface EndedFlinkJob {
  name: string;
  jobId: string;
  /** FAILED, FINISHED, CANCELED, SUSPENDED, or GONE (the JobManager does not know the job). */
  state: string;
  rootCause?: string;
}

interface JobDetails {
  state: string;
  vertices?: Array<{ name: string; status: string }>;
}

const JAR_CONTENT_TYPE = 'application/x-java-archive';
/** Flink's web.refresh-interval when a cluster does not set it. */
const DEFAULT_WEB_REFRESH_MS = 3000;
/** Beyond the cache's time: an answer is cached when its read completes, a moment after Flink took it. */
const STATISTICS_CACHE_MARGIN_MS = 250;

export function createFlinkJobActivities(deps: FlinkJobDeps) {
  const restBase = (session: Session): string =>
    (deps.restUrlTemplate
      ? deps.restUrlTemplate.replaceAll('{namespace}', session.namespace).replaceAll('{name}', session.name)
      : `http://${restServiceName(session.name)}.${session.namespace}.svc:${FLINK_REST_PORT}`
    ).replace(/\/$/, '');

  /** A Flink REST call; a network failure or a 5xx is left to the retry policy, with what it said. */
  async function rest(
    session: Session,
    path: string,
    init?: RequestInit & { duplex?: 'half' },
    judge5xx?: (body: unknown) => boolean,
  ): Promise<{ status: number; body: unknown; text: string }> {
    const response = await fetch(`${restBase(session)}${path}`, { ...init, signal: AbortSignal.timeout(120_000) });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.status >= 500 && !flinkErrors(body).some((e) => e.includes('DuplicateJobSubmissionException')) && !judge5xx?.(body)) {
      throw new Error(
        `Flink REST ${init?.method ?? 'GET'} ${path} of ${session.namespace}/${session.name}: HTTP ${response.status} ${lastCause(body) ?? text.slice(0, 500)}`,
      );
    }
    return { status: response.status, body, text };
  }

  async function jobDetails(session: Session, jobId: string): Promise<JobDetails | undefined> {
    const { status, body, text } = await rest(session, `/jobs/${jobId}`);
    if (status === 404) return undefined;
    if (status !== 200) throw new Error(`Flink REST GET /jobs/${jobId}: HTTP ${status} ${text.slice(0, 500)}`);
    return body as JobDetails;
  }

  /**
   * Flink's root cause of a failed job (GET /jobs/:id/exceptions: `root-exception` up to 1.x, the newest
   * entry of `exceptionHistory` in 1.x and 2.x). Its history may trail the job's state by a moment, so
   * an answer without one is asked again a few times.
   */
  async function rootCause(session: Session, jobId: string): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      const { status, body, text } = await rest(session, `/jobs/${jobId}/exceptions`);
      const answer = (status === 200 ? body : {}) as { 'root-exception'?: string | null; exceptionHistory?: { entries?: Array<{ stacktrace?: string }> } };
      const cause = rootCauseSummary(answer['root-exception'] ?? answer.exceptionHistory?.entries?.[0]?.stacktrace);
      if (cause || attempt === 5) {
        if (!cause) Context.current().log.warn("Flink reports no root cause of the job's failure", { jobId, status, answer: text.slice(0, 500) });
        return cause;
      }
      await sleep(1000);
    }
  }

  /** The jar as a stream with its length when known; a jar that is not there fails for good, naming the URL. */
  async function openJar(jar: JarSource): Promise<{ stream: Readable; length?: number }> {
    if (jar.kind === 'https') {
      const response = await fetch(jar.url, { redirect: 'follow', signal: AbortSignal.timeout(600_000) });
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        const why = `fetching the jar ${jar.url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
        if (response.status === 404 || response.status === 410) throw ApplicationFailure.nonRetryable(`${why}: no such jar; fix spec.jar`, 'JarNotFound');
        if (response.status === 401 || response.status === 403)
          throw ApplicationFailure.nonRetryable(`${why}: the worker may not read it; fix spec.jar or the server's access rules`, 'JarNotReadable');
        throw new Error(why);
      }
      const length = Number(response.headers.get('content-length') ?? Number.NaN);
      return { stream: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), ...(Number.isFinite(length) ? { length } : {}) };
    }
    const client = await deps.s3ClientFor(jar.target).catch((error: unknown) => {
      // The credentials Secret is read first: one that is not there needs a person, not a retry.
      if (!isNotFound(error)) throw error;
      const secret = jar.target.credentialsSecret?.name ?? '(none)';
      throw ApplicationFailure.nonRetryable(
        `the Secret ${jar.target.ref.namespace}/${secret} with the S3 credentials for the jar ${jar.url} does not exist: ` +
          `create it, or fix ${jar.credentialsField ?? "the session's s3.credentialsSecret"}`,
        'JarNotReadable',
      );
    });
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: jar.target.bucket, Key: jar.key }));
      if (!(object.Body instanceof Readable)) throw new Error(`S3 GetObject of ${jar.url} answered no body`);
      const stream = object.Body;
      stream.once('close', () => client.destroy());
      return { stream, ...(object.ContentLength !== undefined ? { length: object.ContentLength } : {}) };
    } catch (error: unknown) {
      client.destroy();
      const name = error instanceof Error ? error.name : '';
      if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
        throw ApplicationFailure.nonRetryable(`the jar ${jar.url} does not exist (S3 answered ${name}); fix spec.jar`, 'JarNotFound');
      }
      if (S3_REFUSALS.includes(name)) {
        const whose = jar.credentialsField ? `the credentials in ${jar.credentialsField}` : "the session's S3 credentials";
        throw ApplicationFailure.nonRetryable(`${whose} may not read the jar ${jar.url} (S3 answered ${name})`, 'JarNotReadable');
      }
      throw error;
    }
  }

  /** Streams the jar into Flink's /jars/upload as multipart/form-data, never holding it in memory; the jar's id in Flink. */
  async function uploadJar(session: Session, jar: JarSource): Promise<string> {
    const { stream, length } = await openJar(jar);
    if (length !== undefined && length > deps.jarMaxBytes) {
      stream.destroy();
      throw ApplicationFailure.nonRetryable(`the jar ${jar.url} has ${length} bytes, more than FSO_JAR_MAX_BYTES (${deps.jarMaxBytes})`, 'JarTooLarge');
    }
    const boundary = `fso-${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
    const fileName = (jar.url.split('/').pop() ?? 'job.jar').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^(?!.*\.jar$)(.*)$/, '$1.jar');
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="jarfile"; filename="${fileName}"\r\nContent-Type: ${JAR_CONTENT_TYPE}\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    let seen = 0;
    let tooLarge = false;
    const limit = deps.jarMaxBytes;
    const body = Readable.from(
      (async function* () {
        yield head;
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          seen += chunk.length;
          if (seen > limit) {
            tooLarge = true;
            stream.destroy();
            throw new Error('jar too large');
          }
          heartbeatIfInActivity({ uploading: jar.url, bytes: seen });
          yield chunk;
        }
        yield tail;
      })(),
    );
    let answer: { status: number; body: unknown; text: string };
    try {
      answer = await rest(session, '/jars/upload', {
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          ...(length !== undefined ? { 'content-length': String(head.length + length + tail.length) } : {}),
        },
        body: Readable.toWeb(body) as unknown as RequestInit['body'],
        duplex: 'half',
      });
    } catch (error: unknown) {
      if (tooLarge)
        throw ApplicationFailure.nonRetryable(`the jar ${jar.url} is longer than FSO_JAR_MAX_BYTES (${limit} bytes); refused while streaming`, 'JarTooLarge');
      throw error;
    }
    const filename = (answer.body as { filename?: string } | undefined)?.filename;
    if (answer.status !== 200 || !filename) {
      throw ApplicationFailure.nonRetryable(
        `Flink refused the upload of ${jar.url}: HTTP ${answer.status} ${lastCause(answer.body) ?? answer.text.slice(0, 500)}`,
        'JarRefused',
      );
    }
    return filename.split('/').pop()!;
  }

  /**
   * Submits one generation of the job with its fixed id. Flink already knowing the id (a retry of a
   * submission that reached it) is success; nothing is run twice. The uploaded jar is removed again.
   */
  async function submitFlinkJob(input: SubmitFlinkJobInput): Promise<SubmitFlinkJobResult> {
    const jobId = flinkJobId(input.job);
    if (await jobDetails(input.session, jobId)) return { jobId, duplicate: true };
    const jarId = await uploadJar(input.session, input.jar);
    // Flink runs the jar's main() inside this one request, which may take a while: heartbeat meanwhile.
    const ticker = setInterval(() => heartbeatIfInActivity({ running: jarId }), 5000);
    try {
      const run = await rest(
        input.session,
        `/jars/${encodeURIComponent(jarId)}/run`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(jarRunRequest(input.spec, jobId, input.restoreFrom)),
        },
        isProgramFailure,
      );
      if (run.status === 200) return { jobId, duplicate: false };
      const errors = flinkErrors(run.body);
      if (errors.some((e) => e.includes('DuplicateJobSubmissionException'))) return { jobId, duplicate: true };
      // Flink ran the jar's main method and it failed: not a Flink job, a missing class, bad arguments.
      throw ApplicationFailure.nonRetryable(
        `Flink could not run the jar ${input.jar.url} (HTTP ${run.status}): ${lastCause(run.body) ?? run.text.slice(0, 500)}`,
        'JobRunFailed',
      );
    } finally {
      clearInterval(ticker);
      await rest(input.session, `/jars/${encodeURIComponent(jarId)}`, { method: 'DELETE' }).catch(() => undefined);
    }
  }

  /**
   * Polls until every task of the job runs (heartbeating); FAILED, or any end, fails for good with Flink's
   * root cause. With `goneAfterSeconds` (a job Flink's HA should have recovered), a job Flink still does
   * not know after that long is answered GONE instead.
   */
  async function waitForFlinkJobRunning(input: { session: Session; jobId: string; goneAfterSeconds?: number }): Promise<{ state: string }> {
    const started = firstScheduledAt();
    const deadline = started + deps.jobDeadlineSeconds * 1000;
    for (;;) {
      const job = await jobDetails(input.session, input.jobId);
      const state = job?.state ?? 'UNKNOWN';
      if (!job && input.goneAfterSeconds !== undefined && Date.now() > started + input.goneAfterSeconds * 1000) return { state: 'GONE' };
      const waiting = (job?.vertices ?? []).filter((v) => v.status !== 'RUNNING' && v.status !== 'FINISHED').map((v) => `${v.name}: ${v.status}`);
      if (state === 'RUNNING' && waiting.length === 0 && (job?.vertices?.length ?? 0) > 0) return { state };
      if (job && TERMINAL_JOB_STATES.includes(state)) {
        const cause = await rootCause(input.session, input.jobId);
        throw ApplicationFailure.create({
          message: `the job ${input.jobId} ended ${state} instead of running${cause ? `; Flink's root cause: ${cause.split('\n')[0]}` : ''}`,
          type: state === 'FAILED' ? 'JobFailed' : 'JobEnded',
          nonRetryable: true,
          details: [{ state, ...(cause ? { rootCause: cause } : {}) }],
        });
      }
      if (Date.now() > deadline) {
        throw ApplicationFailure.nonRetryable(
          `the job ${input.jobId} is not running after ${deps.jobDeadlineSeconds} s (FSO_JOB_DEADLINE_SECONDS): ` +
            `${job ? `Flink says ${state}${waiting.length ? `, tasks ${waiting.join(', ')}` : ''}` : 'Flink does not know it'}`,
          'JobNotRunning',
        );
      }
      heartbeatIfInActivity({ waitingFor: `job ${input.jobId} RUNNING`, state, waiting });
      await sleep(deps.pollIntervalMs);
    }
  }

  /**
   * Takes the job off Flink: with a savepoint into `savepointDirectory` (POST /jobs/:id/stop, the
   * trigger polled), or cancelled without one. A failed savepoint fails for good and leaves the job
   * running. A retry resumes the trigger it started (kept in the heartbeat details).
   */
  async function stopFlinkJob(input: StopFlinkJobInput): Promise<StopFlinkJobResult> {
    const deadline = firstScheduledAt() + deps.jobDeadlineSeconds * 1000;
    const { session, jobId } = input;
    const resumed = previousHeartbeat<{ triggerId?: string }>();
    let triggerId = resumed?.triggerId;
    let savepoint: { path: string } | undefined;
    let endedSeenAt: number | undefined;
    for (;;) {
      const job = await jobDetails(session, jobId);
      if (!job) return { state: 'GONE' };
      const ended = TERMINAL_JOB_STATES.includes(job.state);
      if (ended) endedSeenAt ??= Date.now();
      // The stop this call asked for: its own trigger says where the savepoint is, after the job's end
      // too (Flink keeps the answer). Flink's checkpoint statistics can be older than the end (cached for
      // web.refresh-interval after a read, a dashboard's say): only a retry that lost its trigger reads them.
      let pending = false;
      if (input.savepointDirectory && !savepoint && triggerId) {
        const triggered = await savepointTrigger(session, jobId, triggerId, input.savepointDirectory, job.state);
        if (triggered === 'forgotten')
          triggerId = undefined; // the JobManager forgot it (restarted): trigger again
        else if (triggered === 'pending') pending = true;
        else savepoint = triggered;
      }
      if (ended && !(pending && Date.now() <= deadline)) {
        savepoint ??= input.savepointDirectory ? await latestSavepoint(session, jobId) : undefined;
        const checkpoint = input.fromCheckpoint ? await checkpointRetainedByEnd(session, jobId, endedSeenAt ?? Date.now()) : undefined;
        if (input.fromCheckpoint && !checkpoint) {
          throw ApplicationFailure.nonRetryable(
            `the job ${jobId} ended ${job.state} with no checkpoint Flink reports; its next run starts without its state`,
            'CheckpointLost',
          );
        }
        return { state: job.state, ...(savepoint ? { savepoint } : {}), ...(checkpoint ? { checkpoint } : {}) };
      }
      if (Date.now() > deadline) {
        throw ApplicationFailure.nonRetryable(
          `the job ${jobId} did not stop within ${deps.jobDeadlineSeconds} s (FSO_JOB_DEADLINE_SECONDS); Flink says ${job.state}`,
          'StopTimedOut',
        );
      }
      if (!input.savepointDirectory) {
        if (!triggerId && input.fromCheckpoint && (await retainedCheckpoints(session, jobId)).completed === 0) {
          // Checked before the cancel: a last-state change never throws the job's state away.
          throw ApplicationFailure.nonRetryable(
            `the job ${jobId} has completed no checkpoint yet, so upgradeMode last-state has nothing to restore from; it keeps running, nothing was changed: ` +
              'enable checkpointing (execution.checkpointing.interval) and wait for one, or set upgradeMode: savepoint',
            'NoCheckpoint',
          );
        }
        if (!triggerId) {
          const cancel = await rest(session, `/jobs/${jobId}?mode=cancel`, { method: 'PATCH' });
          if (cancel.status !== 202 && cancel.status !== 200 && cancel.status !== 404)
            throw new Error(`Flink REST cancel of ${jobId}: HTTP ${cancel.status} ${cancel.text.slice(0, 500)}`);
          triggerId = 'cancel';
        }
      } else if (!savepoint && !triggerId) {
        // Its trigger is polled from the next round on (the heartbeat below records it first).
        const stop = await rest(session, `/jobs/${jobId}/stop`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ targetDirectory: input.savepointDirectory, drain: false }),
        });
        triggerId = (stop.body as { 'request-id'?: string } | undefined)?.['request-id'];
        if (stop.status !== 202 || !triggerId) throw new Error(`Flink REST stop of ${jobId}: HTTP ${stop.status} ${stop.text.slice(0, 500)}`);
      }
      heartbeatIfInActivity({ ...(triggerId ? { triggerId } : {}), state: job.state, ...(savepoint ? { savepoint: savepoint.path } : {}) });
      await sleep(deps.pollIntervalMs);
    }
  }

  /**
   * The checkpoint the job's end retained: Flink's checkpoint statistics, read once whatever its REST
   * cached of them before the end has expired (for rest.cache.checkpoint-statistics.timeout after a
   * read, web.refresh-interval by default: 3 s). An answer cached earlier, the operator's own check
   * before the cancel or a dashboard's, can name a checkpoint a newer one subsumed, which Flink deleted.
   */
  async function checkpointRetainedByEnd(session: Session, jobId: string, endedSeenAt: number): Promise<{ path: string } | undefined> {
    const until = endedSeenAt + (await statisticsCacheMs(session)) + STATISTICS_CACHE_MARGIN_MS;
    for (let left = until - Date.now(); left > 0; left = until - Date.now()) {
      heartbeatIfInActivity({ waitingFor: `Flink's cached checkpoint statistics of job ${jobId} to expire`, leftMs: left });
      await sleep(Math.min(left, deps.pollIntervalMs));
    }
    return (await retainedCheckpoints(session, jobId)).latest;
  }

  /** How long Flink's REST caches a job's checkpoint statistics (GET /jobmanager/config; Flink's defaults when unset or unreadable). */
  async function statisticsCacheMs(session: Session): Promise<number> {
    const { status, body } = await rest(session, '/jobmanager/config');
    const entries = status === 200 && Array.isArray(body) ? (body as Array<{ key?: unknown; value?: unknown }>) : [];
    const option = (key: string): number | undefined => {
      const value = entries.find((e) => e.key === key)?.value;
      return typeof value === 'string' ? parseFlinkDuration(value) : undefined;
    };
    const refresh = option('web.refresh-interval') ?? DEFAULT_WEB_REFRESH_MS;
    // The statistics' own cache (Flink 1.18 on) defaults to the refresh interval, which also keeps the job's graph.
    return Math.max(option('rest.cache.checkpoint-statistics.timeout') ?? refresh, refresh);
  }

  /** How many checkpoints the job completed, and the newest it completed (a checkpoint or a savepoint), by Flink's checkpoint statistics. */
  async function retainedCheckpoints(session: Session, jobId: string): Promise<{ completed: number; latest?: { path: string } }> {
    const { status, body, text } = await rest(session, `/jobs/${jobId}/checkpoints`);
    if (status !== 200) throw new Error(`Flink REST GET /jobs/${jobId}/checkpoints: HTTP ${status} ${text.slice(0, 500)}`);
    type Point = { id?: number; external_path?: string } | null | undefined;
    const stats = body as { counts?: { completed?: number }; latest?: { completed?: Point; savepoint?: Point } };
    const newest = [stats.latest?.completed, stats.latest?.savepoint]
      .filter((p): p is { id?: number; external_path: string } => typeof p?.external_path === 'string' && p.external_path !== '')
      .sort((a, b) => (b.id ?? 0) - (a.id ?? 0))[0];
    return { completed: stats.counts?.completed ?? 0, ...(newest ? { latest: { path: newest.external_path } } : {}) };
  }

  /**
   * Watches the session's running jobs (GET /jobs/overview every FSO_JOB_WATCH_SECONDS, heartbeating):
   * returns the ones that no longer run, with Flink's root cause of a failure, or nothing after
   * `forSeconds`, so the workflow asks again. A JobManager that does not answer is waited for (a
   * redeploy or a crash of it is the session's business); a job it does not list is reported GONE
   * only when two polls in a row miss it. Cancelled when the workflow has a step to run.
   */
  async function watchFlinkJobs(input: {
    session: Session;
    jobs: Array<{ name: string; jobId: string }>;
    forSeconds: number;
  }): Promise<{ ended: EndedFlinkJob[] }> {
    const until = Date.now() + input.forSeconds * 1000;
    const missing = new Set<string>();
    const context = Context.current();
    for (;;) {
      let overview: Map<string, string> | undefined;
      let unanswered: string | undefined;
      try {
        const { status, body, text } = await rest(input.session, '/jobs/overview');
        if (status !== 200) throw new Error(`HTTP ${status} ${text.slice(0, 200)}`);
        const jobs = (body as { jobs?: Array<{ jid: string; state: string }> }).jobs ?? [];
        overview = new Map(jobs.map((j) => [j.jid, j.state]));
      } catch (error: unknown) {
        unanswered = error instanceof Error ? error.message : String(error);
      }
      if (overview) {
        const ended: EndedFlinkJob[] = [];
        for (const job of input.jobs) {
          const state = overview.get(job.jobId);
          if (state === undefined) {
            if (missing.has(job.jobId)) ended.push({ ...job, state: 'GONE' });
            missing.add(job.jobId);
            continue;
          }
          missing.delete(job.jobId);
          if (!TERMINAL_JOB_STATES.includes(state)) continue;
          const cause = state === 'FAILED' ? await rootCause(input.session, job.jobId).catch(() => undefined) : undefined;
          ended.push({ ...job, state, ...(cause ? { rootCause: cause } : {}) });
        }
        if (ended.length > 0) return { ended };
      }
      if (Date.now() >= until) return { ended: [] };
      context.heartbeat({ watching: input.jobs.map((j) => j.jobId), ...(unanswered ? { unanswered } : {}) });
      await context.sleep(deps.jobWatchSeconds * 1000);
    }
  }

  /**
   * The jobs on the session that have not ended (GET /jobs/overview), before a redeploy carries them.
   * A JobManager whose REST does not answer (it crashed, or was deleted by hand) is answered unreachable
   * after a few tries, so the redeploy that replaces it goes on.
   */
  async function listFlinkJobs(input: { session: Session }): Promise<{ reachable: boolean; jobs: FlinkJobOnSession[]; why?: string }> {
    let why = '';
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const { status, body, text } = await rest(input.session, '/jobs/overview');
        if (status === 200) {
          const jobs = (body as { jobs?: Array<{ jid: string; name?: string; state: string }> }).jobs ?? [];
          return {
            reachable: true,
            jobs: jobs.filter((j) => !TERMINAL_JOB_STATES.includes(j.state)).map((j) => ({ jobId: j.jid, name: j.name ?? j.jid, state: j.state })),
          };
        }
        why = `HTTP ${status} ${text.slice(0, 200)}`;
      } catch (error: unknown) {
        why = error instanceof Error ? error.message : String(error);
      }
      heartbeatIfInActivity({ listing: 'jobs', attempt, why });
      await sleep(deps.pollIntervalMs);
    }
    return { reachable: false, jobs: [], why };
  }

  /** The newest checkpoint (or savepoint) the job completed, recorded before a redeploy leaves it to HA; none before its first. */
  async function latestFlinkCheckpoint(input: { session: Session; jobId: string }): Promise<{ completed: number; latest?: { path: string } }> {
    return retainedCheckpoints(input.session, input.jobId);
  }

  /**
   * What Flink says of a savepoint trigger (GET /jobs/:id/savepoints/:triggerId; Flink keeps the answer
   * after the job ended): where the savepoint is, still pending, or forgotten (a restarted JobManager).
   * A savepoint that failed fails for good (a stop whose savepoint failed leaves the job running).
   */
  async function savepointTrigger(
    session: Session,
    jobId: string,
    triggerId: string,
    directory: string,
    jobState: string,
  ): Promise<{ path: string } | 'pending' | 'forgotten'> {
    const trigger = await rest(session, `/jobs/${jobId}/savepoints/${triggerId}`);
    if (trigger.status === 404) return 'forgotten';
    const answer = trigger.body as
      { status?: { id?: string }; operation?: { location?: string; 'failure-cause'?: { 'stack-trace'?: string; class?: string } } } | undefined;
    if (answer?.status?.id !== 'COMPLETED') return 'pending';
    const failure = answer.operation?.['failure-cause'];
    if (failure || !answer.operation?.location) {
      const why = rootCauseSummary(failure?.['stack-trace'], 3) ?? failure?.class ?? 'no location reported';
      const job = TERMINAL_JOB_STATES.includes(jobState) ? `Flink ended the job ${jobState}` : 'the job keeps running';
      throw ApplicationFailure.nonRetryable(`the savepoint of job ${jobId} into ${directory} failed; ${job}: ${why}`, 'SavepointFailed');
    }
    return { path: answer.operation.location };
  }

  /** The savepoint a stopped job wrote last (a retried stop whose trigger Flink already finished). */
  async function latestSavepoint(session: Session, jobId: string): Promise<{ path: string } | undefined> {
    const { status, body } = await rest(session, `/jobs/${jobId}/checkpoints`);
    const path = status === 200 ? (body as { latest?: { savepoint?: { external_path?: string } | null } }).latest?.savepoint?.external_path : undefined;
    return path ? { path } : undefined;
  }

  return { submitFlinkJob, waitForFlinkJobRunning, stopFlinkJob, watchFlinkJobs, listFlinkJobs, latestFlinkCheckpoint };
}

function previousHeartbeat<T>(): T | undefined {
  try {
    return Context.current().info.heartbeatDetails as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Flink answers some failures of the jar itself with HTTP 500 (a file that is no zip: ZipException;
 * a missing main class): no retry changes those. Other 5xx (a JobManager starting, a proxy) are retried.
 */
const PROGRAM_FAILURES = [
  'ZipException',
  'ProgramInvocationException',
  'ClassNotFoundException',
  'NoClassDefFoundError',
  'ProgramMissingJobException',
  'Could not build the program',
  'Failed to build JobGraph',
];
function isProgramFailure(body: unknown): boolean {
  return flinkErrors(body).some((e) => PROGRAM_FAILURES.some((marker) => e.includes(marker)));
}

/** Flink's REST errors: `{"errors": ["…"]}`. */
function flinkErrors(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
}

/** The innermost "Caused by:" of Flink's error (a Java stack trace), which says what went wrong. */
function lastCause(body: unknown): string | undefined {
  const text = flinkErrors(body).join('\n');
  if (text === '') return undefined;
  const causes = [...text.matchAll(/Caused by: ([^\n]+)/g)].map((m) => m[1]!);
  return (causes.at(-1) ?? text.split('\n')[0]!).slice(0, 1000);
}
