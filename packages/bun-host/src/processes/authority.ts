/**
 * Who may do what with a process (docs/architecture.md, "Scope"): an extension sees and controls
 * only its own processes; a user-scoped extension only those of its installer, an
 * operator-scoped one those of the `userId` it names. Shared by both process kinds.
 */
import { type ExtensionScope, SpindleError } from '@spindle/types';

/** What an authority check needs of the caller. */
export interface Caller {
  readonly extensionId: string;
  readonly scope: ExtensionScope;
}

/** What an authority check needs of a process. */
export interface OwnedProcess {
  readonly extensionId: string;
  readonly processId: string;
  readonly userId: string | undefined;
}

/**
 * The user a new process runs for. User-scoped: the installer (naming anyone else is
 * `FORBIDDEN`). Operator-scoped: the `userId` named, if any.
 */
export function resolveUser(caller: Caller, requested: string | undefined): string | undefined {
  if (caller.scope.kind === 'user') {
    if (requested !== undefined && requested !== caller.scope.userId) {
      throw new SpindleError(
        'FORBIDDEN',
        `extension ${caller.extensionId} is installed for one user and cannot act for user ${requested}`,
        { details: { extensionId: caller.extensionId, userId: requested } },
      );
    }
    return caller.scope.userId;
  }
  return requested;
}

/**
 * Checks that `caller` may see or control `process`. Another extension's process, or one of a
 * user the caller may not reach, is reported as `PROCESS_NOT_FOUND` (its existence is not
 * revealed); naming a user the caller may not act for is `FORBIDDEN`.
 */
export function assertAccess(
  caller: Caller,
  process: OwnedProcess | undefined,
  processId: string,
  requestedUser?: string,
): asserts process is OwnedProcess {
  const user = resolveUser(caller, requestedUser);
  let reachable = process !== undefined && process.extensionId === caller.extensionId;
  if (reachable && user !== undefined) reachable = process?.userId === user;
  if (!reachable) {
    throw new SpindleError('PROCESS_NOT_FOUND', `process ${processId} not found`, {
      details: { processId, extensionId: caller.extensionId },
    });
  }
}
