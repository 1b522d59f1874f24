/**
 * Command-line options of `pnpm bench`. Pure.
 */
import { SpindleError } from '@spindle/types';

/** Parsed options. */
export interface CliOptions {
  /** Substring of benchmark names to run. @default undefined (all) */
  filter?: string;
  /** Few rounds, small batches: a smoke run. @default false */
  quick: boolean;
  /** Where to write the report; relative to the caller's directory. @default '<repo>/BENCHMARKS.md' */
  out?: string;
  /** Skip writing the report (`--no-write`). @default true */
  write: boolean;
  /** Exit non-zero on a MISS, not only on an ERROR. @default false */
  strict: boolean;
  /** Print usage and exit. @default false */
  help: boolean;
}

/** Usage text. */
export const USAGE = `usage: pnpm bench [--filter <substring>] [--quick] [--out <path>] [--no-write] [--strict]
  --filter <s>  run only benchmarks whose name contains <s>
  --quick       1 warm-up round, few measured rounds, small batches (smoke run)
  --out <path>  write the report there instead of <repo>/BENCHMARKS.md
  --no-write    print the table only
  --strict      exit 1 when a figure misses its target (an ERROR always exits 1)`;

/** Parses argv (without node and script). Throws `INVALID_OPTIONS` on unknown or incomplete flags. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = { quick: false, write: true, strict: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    if (raw === '--') continue;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) {
        throw new SpindleError('INVALID_OPTIONS', `${flag} needs a value\n${USAGE}`, {
          details: { flag },
        });
      }
      return v;
    };
    switch (flag) {
      case '--filter':
        opts.filter = value();
        break;
      case '--out':
        opts.out = value();
        break;
      case '--quick':
        opts.quick = true;
        break;
      case '--no-write':
        opts.write = false;
        break;
      case '--strict':
        opts.strict = true;
        break;
      case '--help':
      case '-h':
        opts.help = true;
        break;
      default:
        throw new SpindleError('INVALID_OPTIONS', `unknown option ${raw}\n${USAGE}`, {
          details: { option: raw },
        });
    }
  }
  return opts;
}
