/** The metadata of the operator's custom resources (FlinkSession, FlinkSessionJob) that the operator reads. */
export interface ResourceMetadata {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  resourceVersion?: string;
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
}
