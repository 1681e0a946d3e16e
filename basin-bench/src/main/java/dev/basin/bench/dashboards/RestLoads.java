package dev.basin.bench.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Loads a dashboard the way its viewer does: one {@code POST
 * /api/v1/dashboards/{id}/visuals/{visualId}/data} per visual, at most {@code pool} in flight (a
 * browser's per-host connection limit), and times the load until the last visual's data arrived.
 */
final class RestLoads implements AutoCloseable {

  /** One visual's answer in a load. */
  record VisualTiming(
      String visualId, double clientMs, long serverMillis, boolean cached, int rows, String sql) {}

  /** One load: the time until the last visual arrived, and each visual's answer. */
  record Load(double ms, List<VisualTiming> visuals) {}

  private final BasinApi api;
  private final String dashboardId;
  private final List<String> visualIds;
  private final ExecutorService pool;

  RestLoads(BasinApi api, String dashboardId, List<String> visualIds, int pool) {
    this.api = api;
    this.dashboardId = dashboardId;
    this.visualIds = List.copyOf(visualIds);
    this.pool = Executors.newFixedThreadPool(pool);
  }

  /**
   * Loads every visual with the view state {@code state} ({@code {"parameters", "filters"}}).
   *
   * @throws IllegalStateException if a visual answers an error or no rows
   */
  Load load(String state) throws Exception {
    long start = System.nanoTime();
    List<Future<VisualTiming>> futures = new ArrayList<>();
    for (String v : visualIds) {
      futures.add(
          pool.submit(
              () -> {
                JsonNode d =
                    api.call(
                        "POST",
                        "/api/v1/dashboards/" + dashboardId + "/visuals/" + v + "/data",
                        state,
                        200);
                double ms = (System.nanoTime() - start) / 1e6;
                if (d.path("rowCount").asInt() == 0) {
                  throw new IllegalStateException("visual " + v + " answered no rows: " + d);
                }
                return new VisualTiming(
                    v,
                    ms,
                    d.path("serverMillis").asLong(),
                    d.path("cached").asBoolean(),
                    d.path("rowCount").asInt(),
                    d.path("sql").asText());
              }));
    }
    List<VisualTiming> out = new ArrayList<>();
    for (Future<VisualTiming> f : futures) {
      out.add(f.get());
    }
    return new Load((System.nanoTime() - start) / 1e6, out);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
