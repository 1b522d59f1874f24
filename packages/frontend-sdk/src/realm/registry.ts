/**
 * `ctx.processes`: which handler runs a process of a given kind. The last registration of a
 * kind wins; unregistering a registration that has since been replaced changes nothing.
 */
import { SpindleError, type SpindleFrontendProcessHandler, type Unsubscribe } from '@spindle/types';

interface Registration {
  readonly handler: SpindleFrontendProcessHandler;
}

/** Kind → handler table of one extension load. */
export class ProcessRegistry {
  private readonly byKind = new Map<string, Registration>();

  /** Registers `handler` for the trimmed `kind`; throws `INVALID_OPTIONS` on bad input. */
  register(kind: unknown, handler: unknown): Unsubscribe {
    if (typeof kind !== 'string' || kind.trim() === '') {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `processes.register(kind, handler): kind must be a non-empty string, got ${JSON.stringify(kind) ?? String(kind)}`,
      );
    }
    if (typeof handler !== 'function') {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `processes.register('${kind.trim()}', handler): handler must be a function, got ${typeof handler}`,
      );
    }
    const key = kind.trim();
    const registration: Registration = { handler: handler as SpindleFrontendProcessHandler };
    this.byKind.set(key, registration);
    return () => {
      if (this.byKind.get(key) === registration) this.byKind.delete(key);
    };
  }

  /** Handler for `kind` (trimmed), if one is registered. */
  lookup(kind: string): SpindleFrontendProcessHandler | undefined {
    return this.byKind.get(kind.trim())?.handler;
  }

  /** Registered kinds. */
  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  /** Forgets every registration. */
  clear(): void {
    this.byKind.clear();
  }
}
