/**
 * Runs one `service_call` of a runtime: namespace and method looked up, the caller's grant
 * checked, arguments and result held to JSON and to their byte bounds, a deadline, and an abort
 * signal for the method when the call can no longer be answered. Every call settles once: with
 * the method's result, its error (a `SpindleError` keeps its code; anything else is
 * `SERVICE_ERROR`), or `SERVICE_TIMEOUT`.
 */
import {
  type ExtensionScope,
  errorMessage,
  isSpindleError,
  jsonByteSize,
  PERMISSION_DENIED_PREFIX,
  SERVICE_CALL_DEFAULTS,
  SpindleError,
  type SpindleManifest,
} from '@spindle/types';
import type { Timers } from '../runtime/types.ts';
import type { ServiceCall, ServiceRegistry } from './registry.ts';

/** Who calls, as the router knows it. */
export interface ServiceCaller {
  extensionId: string;
  manifest: SpindleManifest;
  scope: ExtensionScope;
  grantedPermissions(): readonly string[];
  /** A user-scoped extension named another user (logged once by the caller's router). */
  onScopeMismatch(operation: string, named: string): void;
  /** Told when a call was refused for a missing grant (`permissions.onDenied`). */
  onDenied(permission: string, operation: string): void;
}

/** Byte bounds of calls. */
export interface ServiceCallLimits {
  /** @default SERVICE_CALL_DEFAULTS.maxArgsBytes */
  maxArgsBytes?: number;
  /** @default SERVICE_CALL_DEFAULTS.maxResultBytes */
  maxResultBytes?: number;
}

/** The call of a runtime, validated as a protocol message already. */
export interface ServiceCallRequest {
  namespace: string;
  method: string;
  args: unknown[];
}

/** Runs the call; `signal` aborts it from outside (runtime gone, host closing). */
export async function callService(
  registry: ServiceRegistry,
  caller: ServiceCaller,
  request: ServiceCallRequest,
  timers: Timers,
  outer: AbortSignal,
  limits: ServiceCallLimits = {},
): Promise<unknown> {
  const operation = `${request.namespace}.${request.method}`;
  const service = registry.get(request.namespace);
  const method = service?.methods.get(request.method);
  if (!service || !method) {
    throw new SpindleError(
      'SERVICE_UNAVAILABLE',
      `${operation} is not a registered service method`,
      { details: { operation } },
    );
  }
  const permission = service.descriptor.permission;
  if (permission !== undefined && !caller.grantedPermissions().includes(permission)) {
    caller.onDenied(permission, operation);
    throw new SpindleError(
      'PERMISSION_DENIED',
      `${PERMISSION_DENIED_PREFIX} ${operation} needs the "${permission}" permission, which ${caller.extensionId} has not been granted`,
      { details: { permission, operation } },
    );
  }
  const maxArgs = limits.maxArgsBytes ?? SERVICE_CALL_DEFAULTS.maxArgsBytes;
  const argBytes = jsonByteSize(request.args, maxArgs);
  if (argBytes === undefined) {
    const size = jsonByteSize(request.args);
    throw new SpindleError(
      'INVALID_OPTIONS',
      size === undefined
        ? `${operation}: the arguments are not JSON`
        : `${operation}: the arguments take ${size} bytes of JSON, more than ${maxArgs}`,
      { details: { operation, path: 'args' } },
    );
  }
  // The signal is made when the method first reads it: most methods never do.
  let controller: AbortController | undefined;
  const { scope } = caller;
  const call: ServiceCall = Object.freeze({
    extensionId: caller.extensionId,
    manifest: caller.manifest,
    scope,
    operation,
    grantedPermissions: Object.freeze([...caller.grantedPermissions()]),
    userId: scope.kind === 'user' ? scope.userId : undefined,
    actFor(requested: unknown): string {
      if (scope.kind === 'user') {
        if (requested !== undefined && requested !== scope.userId) {
          caller.onScopeMismatch(operation, String(requested));
        }
        return scope.userId;
      }
      if (typeof requested !== 'string' || requested === '') {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `${operation}: an operator-scoped extension must name the user`,
          { details: { operation } },
        );
      }
      return requested;
    },
    get signal(): AbortSignal {
      controller ??= new AbortController();
      if (outer.aborted && !controller.signal.aborted) controller.abort(outer.reason);
      return controller.signal;
    },
  });
  const maxResult = limits.maxResultBytes ?? SERVICE_CALL_DEFAULTS.maxResultBytes;
  const checked = (result: unknown) => {
    if (result !== undefined && jsonByteSize(result, maxResult) === undefined) {
      throw new SpindleError(
        'SERVICE_ERROR',
        `${operation} returned a result that is not JSON or is larger than ${maxResult} bytes`,
        { details: { operation } },
      );
    }
    return result ?? null;
  };
  const wrapped = (error: unknown) => {
    if (isSpindleError(error)) return error;
    return new SpindleError('SERVICE_ERROR', `${operation} failed: ${errorMessage(error)}`, {
      cause: error,
      details: { operation },
    });
  };

  if (outer.aborted) throw outer.reason;
  let returned: unknown;
  try {
    returned = method(call, ...request.args);
  } catch (error) {
    throw wrapped(error);
  }
  // A method that answers at once needs no deadline and cannot be cut short.
  if (!isThenable(returned)) return checked(returned);

  let timer: unknown;
  let settle: ((error: unknown) => void) | undefined;
  const cutShort = new Promise<never>((_, reject) => {
    settle = reject;
  });
  const end = (error: unknown) => {
    if (!controller?.signal.aborted) controller?.abort(error);
    settle?.(error);
  };
  const onOuterAbort = () => end(outer.reason);
  outer.addEventListener('abort', onOuterAbort, { once: true });
  timer = timers.setTimeout(
    () =>
      end(
        new SpindleError(
          'SERVICE_TIMEOUT',
          `${operation} did not answer within ${service.timeoutMs} ms`,
          {
            details: { operation, timeoutMs: service.timeoutMs },
          },
        ),
      ),
    service.timeoutMs,
  );
  try {
    return checked(await Promise.race([returned, cutShort]));
  } catch (error) {
    throw wrapped(error);
  } finally {
    timers.clearTimeout(timer);
    outer.removeEventListener('abort', onOuterAbort);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
