/** `spindle.frontendProcesses`, host side. */

export { type RouteRequest, routeSpawn } from './session-routing.ts';
export {
  createFrontendSupervision,
  type FrontendSupervisionOptions,
  type FrontendSupervisor,
} from './supervisor.ts';
