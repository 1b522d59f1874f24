/// <reference types="@spindle/types/globals" />
// A backend half typed through the triple-slash reference alone (its tsconfig lists no types).
// Type-checked only (tsconfig.globals-reference.json).

const off = spindle.onFrontendMessage((payload, userId, frontendSessionId) => {
  spindle.sendToFrontend({ echo: payload }, userId, { frontendSessionId: frontendSessionId ?? '' });
});
off();

// @ts-expect-error: sendToFrontend takes a payload
spindle.sendToFrontend();
