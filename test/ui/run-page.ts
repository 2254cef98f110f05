// The Temporal UI pages of a session's redeploy run, and what a person must find on each: on the
// history, the steps by their summaries (not only activity type names); on User Metadata, the run's
// summary, its static details and its current details.
import { sessionSummary } from '../../model/session-details.ts';

export interface RunPage {
  name: 'history' | 'user-metadata';
  url: string;
  texts: string[];
}

/** `runUrl`: the run's history page (config/temporal.ts temporalUiWorkflowUrl). */
export function runPages(session: { namespace: string; name: string; bucket: string; runUrl: string }): RunPage[] {
  const key = `${session.namespace}/${session.name}`;
  const s3 = (dir: string) => `s3://${session.bucket}/${session.name}/flink/${dir}/`;
  return [
    {
      name: 'history',
      url: session.runUrl,
      texts: [
        `validate generation 2 of ${key}`,
        `delete JobManager Deployment ${key}`,
        `delete the znodes under /flink-${session.namespace}/${session.name} on`,
        `purge ${s3('ha')} and ${s3('checkpoints')}`,
        `wait for JobManager ${key} to serve`,
      ],
    },
    {
      name: 'user-metadata',
      url: session.runUrl.replace(/\/history$/, '/user-metadata'),
      texts: [
        sessionSummary(session),
        `Every deploy, redeploy and delete of FlinkSession ${key} runs here`,
        `${sessionSummary(session)}: Running, generation 2 deployed`,
        'step: none',
        `purge ${s3('ha')} and ${s3('checkpoints')}`,
      ],
    },
  ];
}
