/**
 * Pins what users can import from each published package, entry by entry (values and types):
 * a change here is a change of a public API, to be reviewed and noted in the changelog
 * (`pnpm changeset`). Update with `pnpm vitest run scripts/test/public-surface.test.ts -u`.
 */
import { describe, expect, it } from 'vitest';
import { releasePackages } from '../release/packages.ts';
import { publicSurface } from '../surface/public-surface.ts';

describe('public surface', () => {
  it.each(releasePackages().map((pkg) => [pkg.name, pkg.dir] as const))(
    '%s exports exactly the pinned names from each entry',
    (_name, dir) => {
      expect(publicSurface(dir)).toMatchSnapshot();
    },
    60_000,
  );
});
