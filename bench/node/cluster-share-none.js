'use strict';
// cluster-share with SCHED_NONE (every worker accepts on the shared socket; no primary in the data
// path): see cluster-share.js.
// Herd twin: ClusterShare.ReusePort (bench/src/main/java/dev/herd/bench/scenarios/ClusterShare.java),
// Herd's primary-free policy.
const cluster = require('cluster');
require('./cluster-share').run(cluster.SCHED_NONE, 'shared socket');
