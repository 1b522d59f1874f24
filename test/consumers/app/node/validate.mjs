// A Node program that uses @spindle/types as a web app's server would: validate what a browser
// sent. Prints one JSON line for the test to read.
import { PROTOCOL_VERSION, SPINDLE_ERROR_CODES, validateClientFrame } from '@spindle/types';
import { isSpindleError, SpindleError } from '@spindle/types/errors';

const hello = JSON.stringify({
  type: 'hello',
  protocolVersion: PROTOCOL_VERSION,
  token: 'a-token-of-sixteen-chars',
});
const good = validateClientFrame(hello);
const bad = validateClientFrame('{"type":"hello","protocolVersion":"two"}');
const notJson = validateClientFrame('{ nope');

console.log(
  JSON.stringify({
    resolved: import.meta.resolve('@spindle/types'),
    resolvedErrors: import.meta.resolve('@spindle/types/errors'),
    good: good.ok ? good.value : good.error,
    bad: bad.ok ? 'accepted' : bad.error.code,
    notJson: notJson.ok ? 'accepted' : notJson.error.code,
    errorClass: isSpindleError(new SpindleError('INVALID_OPTIONS', 'x')),
    knowsCodes: SPINDLE_ERROR_CODES.includes('INVALID_FRAME'),
  }),
);
