/** App services and permissions of the host (docs/embedding.md). */
export { callService, type ServiceCaller, type ServiceCallLimits } from './call.ts';
export {
  type HostPermissions,
  type PermissionChange,
  type PermissionPolicy,
  PermissionStore,
} from './permissions.ts';
export {
  type HostServices,
  type RegisteredService,
  type ServiceCall,
  type ServiceEventOptions,
  type ServiceMethod,
  type ServiceOptions,
  ServiceRegistry,
} from './registry.ts';
