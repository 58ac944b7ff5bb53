package com.example.service;

import static dev.herd.node.worker_threads.WorkerThreads.parentPort;
import static dev.herd.node.worker_threads.WorkerThreads.workerData;

/**
 * The worker_threads task of {@code GET /primes}: {@code new Worker(PrimeCounter.class, ...)} runs
 * this {@code main} on a thread of its own, with its own event loop. It reads the limit from
 * {@code workerData}, counts the primes below it (a sieve) and posts the count to its parent.
 */
public final class PrimeCounter {
    /** The largest limit a request may ask for (the sieve takes one byte per number). */
    static final int MAX = 50_000_000;

    private PrimeCounter() {}

    /**
     * The worker thread's entry: counts the primes below {@code workerData()} and posts the count.
     *
     * @param args the Worker's argv (none)
     */
    public static void main(String[] args) {
        int below = ((Number) workerData()).intValue();
        parentPort().postMessage(count(below));
    }

    static int count(int below) {
        if (below < 3) return 0;
        boolean[] composite = new boolean[below];
        int count = 1; // 2
        for (int i = 3; i < below; i += 2) {
            if (composite[i]) continue;
            count++;
            for (long j = (long) i * i; j < below; j += 2L * i) composite[(int) j] = true;
        }
        return count;
    }
}
