'use strict';
// Loaded by Herd's process manager into the instances of a cluster-mode Node app
// (NODE_OPTIONS=--require, docs/manager.md "Reload"). When an HTTP server of the instance closes
// -- the manager drains the instance at the end of a reload, through the cluster protocol's
// disconnect -- it stops taking connections as usual, but instead of closing its idle keep-alive
// connections at once (Node's close(), which races with a client's next request on them: the
// client sees a reset) it answers every request still coming on a connection with
// `Connection: close`, so the client opens a new connection (to another process) for the next one,
// and closes what is still idle after HERD_DRAIN_IDLE_MS (default 1000).
const http = require('http');
const net = require('net');

const idleMs = Number(process.env.HERD_DRAIN_IDLE_MS) || 1000;
const close = http.Server.prototype.close;
http.Server.prototype.close = function herdDrainingClose(...args) {
  if (this.herdDraining) return close.apply(this, args);
  this.herdDraining = true;
  this.prependListener('request', (req, res) => {
    res.shouldKeepAlive = false; // Connection: close, and the connection ends after this response
  });
  const timer = setTimeout(() => this.closeIdleConnections(), idleMs);
  timer.unref();
  return net.Server.prototype.close.apply(this, args);
};
