/** The `FrontendGateway` of a host without a frontend server: no sessions, nothing delivered. */
import mitt from 'mitt';
import type { FrontendGateway, FrontendGatewayEvents } from '../frontend/gateway.ts';

/** A gateway with no sessions; `send` returns false and `broadcast` 0. */
export function createNullGateway(): FrontendGateway {
  return {
    events: mitt<FrontendGatewayEvents>(),
    send: () => false,
    broadcast: () => 0,
    getSession: () => undefined,
    listSessions: () => [],
  };
}
