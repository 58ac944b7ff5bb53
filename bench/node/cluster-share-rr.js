'use strict';
// cluster-share with round-robin (SCHED_RR): see cluster-share.js.
// Herd twin: ClusterShare.RoundRobin (bench/src/main/java/dev/herd/bench/scenarios/ClusterShare.java)
const cluster = require('cluster');
require('./cluster-share').run(cluster.SCHED_RR, 'round-robin');
