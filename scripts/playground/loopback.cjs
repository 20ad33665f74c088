// Preloaded into Microsoft 365 Agents Playground (node --require) by scripts/playground/session.ts.
// The Playground calls server.listen(port) with no address, which listens on every interface: anyone on the
// network could then chat through it with our unauthenticated local-mode bot. This makes a listen without an
// address listen on 127.0.0.1 only. Listens that name an address, a path or a handle are left alone.
'use strict';
const net = require('node:net');

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (first === undefined || typeof first === 'function') {
    args.unshift(0, LOOPBACK);
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, LOOPBACK);
  } else if (first !== null && typeof first === 'object' && !('_handle' in first) && !('fd' in first) && !('path' in first) && !('handle' in first)) {
    if (first.host === undefined) args[0] = { ...first, host: LOOPBACK };
  }
  return listen.apply(this, args);
};
