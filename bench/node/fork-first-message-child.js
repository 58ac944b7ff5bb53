'use strict';
// The child fork-first-message.js forks: an empty program that sends its pid to its parent as soon
// as it runs, then ends (with no 'message' listener the channel does not keep it alive).
// Herd twin: bench/src/main/java/dev/herd/bench/scenarios/ForkFirstMessageChild.java
process.send(process.pid);
