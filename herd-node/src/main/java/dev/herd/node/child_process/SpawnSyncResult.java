package dev.herd.node.child_process;

import dev.herd.os.ErrnoException;
import java.util.List;

/**
 * What {@link ChildProcesses#spawnSync} returns (Node's spawnSync result object). Output values
 * are byte[], or Strings when an {@code encoding} other than "buffer" was given.
 *
 * @param pid the child's pid; 0 if it never started
 * @param output one entry per stdio slot: what the child wrote to that pipe, or null (stdin,
 *     non-pipe slots); the whole list is null if the child never started
 * @param stdout {@code output[1]}, or null
 * @param stderr {@code output[2]}, or null
 * @param status the exit code, or null if a signal ended the child or it never started
 * @param signal the name of the signal that ended it, or null
 * @param error what went wrong, or null: the start failure ("spawnSync foo ENOENT"), ETIMEDOUT,
 *     ENOBUFS (maxBuffer), EPIPE (the child did not read all the input)
 */
public record SpawnSyncResult(int pid, List<Object> output, Object stdout, Object stderr, Integer status,
                              String signal, ErrnoException error) {}
