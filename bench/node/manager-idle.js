'use strict';
// An idle app for manager-observe, the same under both managers: it only waits.
setInterval(() => {}, 1 << 30);
