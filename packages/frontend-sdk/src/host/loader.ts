/**
 * Turning a bundle (a URL or a source string) into a module namespace. The loader is a plain
 * function so the host can be given another one (tests, bundler-specific loading).
 */
import { errorMessage, SpindleError } from '@spindle/types';

/** What a loader is asked to load. */
export interface BundleRequest {
  extensionId: string;
  /** URL of an ES module bundle. */
  url?: string;
  /** Source text of an ES module bundle. */
  source?: string;
}

/** Loads a bundle and resolves with its module namespace. */
export type ModuleLoader = (request: BundleRequest) => Promise<unknown>;

/** Options of `createModuleLoader`. */
export interface ModuleLoaderOptions {
  /**
   * How a source string becomes importable: a `blob:` URL (browsers) or a `data:` URL (also
   * works in Node-based test runners, which cannot import `blob:` URLs).
   * @default 'blob'
   */
  sourceUrl?: 'blob' | 'data';
  /** The dynamic import to use. @default (url) => import(url) */
  importModule?: (url: string) => Promise<unknown>;
}

const defaultImport = (url: string): Promise<unknown> => import(/* @vite-ignore */ url);

/** Creates the default loader: `import(url)`, or a `blob:`/`data:` URL for a source string. */
export function createModuleLoader(options: ModuleLoaderOptions = {}): ModuleLoader {
  const importModule = options.importModule ?? defaultImport;
  const sourceUrl = options.sourceUrl ?? 'blob';
  return async ({ extensionId, url, source }) => {
    let target = url;
    let revoke: (() => void) | undefined;
    if (target === undefined) {
      if (source === undefined) {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `extension ${extensionId} has neither url nor source`,
        );
      }
      if (sourceUrl === 'blob') {
        const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
        target = blobUrl;
        revoke = () => URL.revokeObjectURL(blobUrl);
      } else {
        target = `data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`;
      }
    }
    try {
      return await importModule(target);
    } catch (error) {
      throw new SpindleError(
        'IMPORT_FAILED',
        `bundle of extension ${extensionId} failed to import: ${error instanceof Error ? `${error.name}: ${error.message}` : errorMessage(error)}`,
        { cause: error, details: { extensionId, url: url ?? null } },
      );
    } finally {
      revoke?.();
    }
  };
}
