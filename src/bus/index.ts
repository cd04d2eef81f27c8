/** The EventBridge-compatible bus: patterns, registry (buses/rules/targets), input shaping, delivery runtime. */

export { ArchiveStore, withReplayName } from './archive.js';
export {
  type AwsClientConfig,
  type BusAwsSettings,
  SnsTarget,
  SqsTarget,
  signRequest,
  snsPublish,
  sqsSendMessage,
} from './aws-targets.js';
export { type BusConfigIssue, type BusConfigResult, loadBusConfig } from './config.js';
export { BusApiError } from './errors.js';
export { HttpTarget, SlackTarget, slackMessage } from './http-target.js';
export { type DeliveryContext, InputShaper, type InputTransformer, validateTargetInput } from './input.js';
export { classifyLambdaError, LambdaTarget } from './lambda-target.js';
export { type Delivery, type MetricName, Outbox } from './outbox.js';
export * from './pattern/index.js';
export { type BusPublishOptions, type BusPublishSummary, publishThroughBus } from './publish.js';
export { type BusEvent, entrySize, type PutEventsEntry, preparePutEvents } from './put-events.js';
export { DEFAULT_BUS, EventBusRegistry, type Rule, type RuleState, type TargetSpec } from './registry.js';
export {
  BusRuntime,
  backoffMs,
  type DeadLetterAttributes,
  type PutEventsResponse,
  sendToDeadLetter,
} from './runtime.js';
export { nextFireTime, parseSchedule, type Schedule } from './schedule.js';
export { BusScheduler } from './scheduler.js';
export {
  BusApi,
  type BusServerOptions,
  encodeJson,
  type RunningBusServer,
  startBusServer,
  testEventPattern,
} from './server.js';
export { type ControlPlaneSnapshot, ControlPlaneStore, restoreRegistry, snapshotRegistry } from './state.js';
export {
  createInvoker,
  type InvokeContext,
  type InvokeResult,
  type InvokerDeps,
  registerTargetFactory,
  type TargetFactory,
  type TargetInvoker,
  type TargetMatcher,
} from './targets.js';
