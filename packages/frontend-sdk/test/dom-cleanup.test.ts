import type { SpindleFrontendContext } from '@spindle/types';
import { queryAllByText, queryByTestId, screen } from '@testing-library/dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXTENSION_ATTRIBUTE } from '../src/index.ts';
import { createTestContext, type TestContext } from '../src/testing/index.ts';
import { bundle, flush, setupHost } from './helpers.ts';

const styleText = (css: string) => queryAllByText(document.head, css, { ignore: false });

describe('ctx.dom and a clean page after unload', () => {
  let t: TestContext | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    t?.dispose();
    t = undefined;
    document.body.innerHTML = '';
    vi.useRealTimers();
  });

  it('addStyle adds an owned <style>; its remover removes it once', async () => {
    t = await createTestContext({ manifest: { identifier: 'styler' } });
    const remove = t.ctx.dom!.addStyle('.styler-a { color: red; }');
    const [style] = styleText('.styler-a { color: red; }');
    expect(style?.tagName).toBe('STYLE');
    expect(style?.getAttribute(EXTENSION_ATTRIBUTE)).toBe('styler');
    remove();
    remove();
    expect(styleText('.styler-a { color: red; }')).toHaveLength(0);
  });

  it('dom.cleanup() removes every style the extension added, and only those', async () => {
    const foreign = document.createElement('style');
    foreign.textContent = '.app { }';
    document.head.appendChild(foreign);
    t = await createTestContext();
    t.ctx.dom!.addStyle('.one {}');
    t.ctx.dom!.addStyle('.two {}');
    t.ctx.dom!.cleanup();
    expect(styleText('.one {}')).toHaveLength(0);
    expect(styleText('.two {}')).toHaveLength(0);
    expect(styleText('.app { }')).toHaveLength(1);
    foreign.remove();
  });

  it('leaves the page as it found it after unload', async () => {
    const { host } = setupHost({
      modules: {
        'mem://panel': {
          setup(ctx: SpindleFrontendContext) {
            ctx.dom?.addStyle('.panel { position: fixed; }');
            const panel = document.createElement('section');
            panel.dataset.testid = 'panel';
            panel.textContent = 'Extension panel';
            document.body.appendChild(panel);
            return () => panel.remove();
          },
        },
      },
    });
    host.load(bundle('panel'));
    await flush();
    expect(screen.getByTestId('panel').textContent).toBe('Extension panel');
    expect(styleText('.panel { position: fixed; }')).toHaveLength(1);
    host.unload('panel');
    expect(queryByTestId(document.body, 'panel')).toBeNull();
    expect(screen.queryByText('Extension panel')).toBeNull();
    expect(document.head.querySelectorAll(`[${EXTENSION_ATTRIBUTE}]`)).toHaveLength(0);
    host.close();
  });

  it('removes the styles of a load that failed after adding them', async () => {
    const { host } = setupHost({
      modules: {
        'mem://bad': {
          setup(ctx: SpindleFrontendContext) {
            ctx.dom?.addStyle('.bad {}');
            throw new Error('nope');
          },
        },
      },
    });
    host.load(bundle('bad'));
    await flush();
    expect(host.get('bad')?.state).toBe('error');
    expect(styleText('.bad {}')).toHaveLength(0);
    host.close();
  });
});
