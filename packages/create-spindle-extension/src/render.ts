/**
 * The template language of the project files, kept to two things so the templates stay readable:
 *
 * - conditional lines: a line that holds only `#if <flag>`, `#if !<flag>`, `#else` or `#endif`
 *   (after a comment opener: `//`, `#` or `<!--`, and before an optional `-->`) keeps or drops
 *   the lines up to the matching `#else` / `#endif`; blocks nest;
 * - placeholders: `{{name}}` is replaced by the value of `name`.
 *
 * An unknown flag or placeholder, an unmatched `#else` / `#endif` or a block left open is an
 * error naming the template and line: a broken template fails loudly, never half-renders.
 */

/** Flags and values a template is rendered with. */
export interface RenderContext {
  flags: Readonly<Record<string, boolean>>;
  values: Readonly<Record<string, string>>;
}

const DIRECTIVE = /^\s*(?:\/\/|#|<!--)\s*#(if|else|endif)\b\s*(!?)([A-Za-z_]\w*)?\s*(?:-->)?\s*$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g;

/** A template that cannot be rendered. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Renders `text` (the template named `name`, for messages) with `context`. */
export function render(name: string, text: string, context: RenderContext): string {
  const out: string[] = [];
  // Each open block: whether its lines are kept, and whether it passed its `#else`.
  const stack: Array<{ keep: boolean; parentKeeps: boolean; sawElse: boolean; line: number }> = [];
  const keeping = () => stack.every((block) => block.keep);
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const at = `${name}:${index + 1}`;
    const directive = DIRECTIVE.exec(line);
    if (directive) {
      const [, kind, negate, flag] = directive;
      if (kind === 'if') {
        if (flag === undefined || !(flag in context.flags)) {
          throw new TemplateError(`[spindle] ${at}: unknown flag ${JSON.stringify(flag ?? '')}`);
        }
        const value = Boolean(context.flags[flag]);
        stack.push({
          keep: negate ? !value : value,
          parentKeeps: keeping(),
          sawElse: false,
          line: index + 1,
        });
      } else if (kind === 'else') {
        const block = stack.at(-1);
        if (!block || block.sawElse) throw new TemplateError(`[spindle] ${at}: #else without #if`);
        block.keep = !block.keep;
        block.sawElse = true;
      } else {
        if (stack.pop() === undefined) {
          throw new TemplateError(`[spindle] ${at}: #endif without #if`);
        }
      }
      return;
    }
    if (!keeping()) return;
    out.push(
      line.replace(PLACEHOLDER, (_match, key: string) => {
        const value = context.values[key];
        if (value === undefined)
          throw new TemplateError(`[spindle] ${at}: unknown value {{${key}}}`);
        return value;
      }),
    );
  });
  const open = stack.at(-1);
  if (open) throw new TemplateError(`[spindle] ${name}:${open.line}: #if without #endif`);
  return out.join('\n');
}
