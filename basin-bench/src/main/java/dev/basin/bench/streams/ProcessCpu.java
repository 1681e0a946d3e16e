package dev.basin.bench.streams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time of processes and of the whole machine, read from Linux's {@code /proc}; every method
 * returns -1 (or a snapshot of -1s) where {@code /proc} is unavailable.
 */
final class ProcessCpu {
  private static final double TICKS_PER_SECOND = 100; // USER_HZ on every Linux ABI Java runs on

  private ProcessCpu() {}

  /** User plus system CPU seconds used so far by {@code pid} and all its threads. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After "pid (comm) ", f[0] is field 3 (state); utime and stime are fields 14 and 15.
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Machine-wide CPU counters in ticks: busy (not idle, not iowait), iowait, and total. */
  record Machine(long busy, long iowait, long total) {
    static Machine now() {
      try {
        List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
        String[] f = lines.get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= 8 && i < f.length; i++) {
          total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]);
        long iowait = Long.parseLong(f[5]);
        return new Machine(total - idle - iowait, iowait, total);
      } catch (IOException | RuntimeException e) {
        return new Machine(-1, -1, -1);
      }
    }
  }
}
