/**
 * `ctx.dom`: DOM the extension adds through the SDK, so that unloading can remove all of it.
 */
import type { SpindleFrontendDom } from '@spindle/types';

/** Attribute set on every element `ctx.dom` creates; its value is the extension identifier. */
export const EXTENSION_ATTRIBUTE = 'data-spindle-extension';

/** `ctx.dom` plus the owner-side `dispose`. */
export interface OwnedDom {
  readonly dom: SpindleFrontendDom;
  /** Removes every element still owned. */
  dispose(): void;
}

/** Creates the DOM helpers of one extension load, writing into `document.head`. */
export function createOwnedDom(
  document: Document,
  extensionId: string,
  guard: (member: string) => void,
): OwnedDom {
  const owned = new Set<Element>();
  const removeAll = () => {
    for (const element of owned) element.remove();
    owned.clear();
  };
  const dom: SpindleFrontendDom = {
    addStyle(css: string) {
      guard('dom.addStyle');
      const style = document.createElement('style');
      style.setAttribute(EXTENSION_ATTRIBUTE, extensionId);
      style.textContent = String(css);
      document.head.appendChild(style);
      owned.add(style);
      return () => {
        if (!owned.delete(style)) return;
        style.remove();
      };
    },
    cleanup() {
      guard('dom.cleanup');
      removeAll();
    },
  };
  return { dom: Object.freeze(dom), dispose: removeAll };
}
