/**
 * Every benchmark `pnpm bench` knows, in run order. To add one: a file under `benchmarks/`
 * exporting a `Benchmark`, and one line here. Modules listed here must not touch Bun or start
 * anything at import time: the Node CLI imports this file to read names and targets.
 */
import { activationChurnFds, activationChurnRss } from './benchmarks/activation-churn.ts';
import { backendChurnFds, backendChurnRss } from './benchmarks/backend-churn.ts';
import {
  backendSpawnReadyProcess,
  backendSpawnReadySandbox,
} from './benchmarks/backend-spawn-ready.ts';
import { heartbeatTimeout } from './benchmarks/heartbeat-timeout.ts';
import { ipcEchoRoundTrip } from './benchmarks/ipc-echo-round-trip.ts';
import { lazyMemoryPss } from './benchmarks/lazy-memory.ts';
import {
  manyRuntimesLagProcess,
  manyRuntimesLagWorker,
  manyRuntimesRssProcess,
  manyRuntimesRssWorker,
} from './benchmarks/many-runtimes.ts';
import { mount100 } from './benchmarks/mount-100.ts';
import { relayRoundTrip } from './benchmarks/relay-round-trip.ts';
import {
  runtimeIdleRssProcess,
  runtimeIdleRssSandbox,
  runtimeIdleRssWorker,
} from './benchmarks/runtime-idle-rss.ts';
import {
  runtimeStartProcess,
  runtimeStartSandbox,
  runtimeStartWorker,
} from './benchmarks/runtime-start-ready.ts';
import {
  serviceCallProcess,
  serviceCallSandbox,
  serviceCallWorker,
} from './benchmarks/service-call.ts';
import { spawnIpcFirstMessage } from './benchmarks/spawn-ipc-first-message.ts';
import {
  stackBrowserRoundTripProcess,
  stackBrowserRoundTripSandbox,
  stackBrowserRoundTripWorker,
  stackBrowserThroughputProcess,
} from './benchmarks/stack-browser.ts';
import {
  stackRoundTripDefaultLimits,
  stackRoundTripProcess,
  stackRoundTripSandbox,
  stackRoundTripWorker,
} from './benchmarks/stack-round-trip.ts';
import {
  stackSessionsProcess,
  stackSessionsSandbox,
  stackSessionsWorker,
} from './benchmarks/stack-sessions.ts';
import {
  stackThroughputDefaultLimits,
  stackThroughputProcess,
  stackThroughputRemoteTab,
  stackThroughputSandbox,
  stackThroughputWorker,
} from './benchmarks/stack-throughput.ts';
import { wakeLatencyProcess } from './benchmarks/wake-latency.ts';
import { wsEchoRoundTrip } from './benchmarks/ws-echo-round-trip.ts';
import { wsThroughput } from './benchmarks/ws-throughput.ts';
import type { Benchmark } from './harness/types.ts';

/** The registry. */
export const BENCHMARKS: readonly Benchmark[] = [
  spawnIpcFirstMessage,
  ipcEchoRoundTrip,
  wsEchoRoundTrip,
  relayRoundTrip,
  wsThroughput,
  backendSpawnReadyProcess,
  backendSpawnReadySandbox,
  heartbeatTimeout,
  ...mount100,
  backendChurnRss,
  backendChurnFds,
  runtimeStartProcess,
  runtimeStartSandbox,
  runtimeStartWorker,
  serviceCallProcess,
  serviceCallSandbox,
  serviceCallWorker,
  runtimeIdleRssProcess,
  runtimeIdleRssSandbox,
  runtimeIdleRssWorker,
  manyRuntimesLagWorker,
  manyRuntimesLagProcess,
  manyRuntimesRssWorker,
  manyRuntimesRssProcess,
  stackRoundTripProcess,
  stackRoundTripSandbox,
  stackRoundTripWorker,
  stackRoundTripDefaultLimits,
  stackThroughputProcess,
  stackThroughputSandbox,
  stackThroughputWorker,
  stackThroughputDefaultLimits,
  stackThroughputRemoteTab,
  stackSessionsProcess,
  stackSessionsSandbox,
  stackSessionsWorker,
  stackBrowserRoundTripProcess,
  stackBrowserRoundTripSandbox,
  stackBrowserRoundTripWorker,
  stackBrowserThroughputProcess,
  wakeLatencyProcess,
  lazyMemoryPss,
  activationChurnRss,
  activationChurnFds,
];
