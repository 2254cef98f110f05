// The worker's workflowsPath: every workflow type this task queue runs.
export { flinkSessionWorkflow } from './session.ts';
