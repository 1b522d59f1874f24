// Backend half: says where it runs, answers a frontend ping, and logs the frontend's answer.
spindle.log.info(`hello: running on Bun ${Bun.version}`);

spindle.onFrontendMessage((payload, userId) => {
  if (payload && typeof payload.ping === 'string') {
    spindle.sendToFrontend({ pong: payload.ping }, userId);
  } else if (payload && typeof payload.got === 'string') {
    spindle.log.info(`hello: round trip from the ${payload.where}: ${payload.got}`);
  }
});
