package dev.basin.etl.job;

import dev.basin.common.text.EditDistance;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** DAG checks and the deterministic topological order of a job's nodes. */
final class JobGraph {
  private JobGraph() {}

  /**
   * Checks that every input names another node, no target is read, there is no cycle, and every
   * node other than a target is read by some node (so every path ends in a target).
   *
   * @return the nodes in topological order, ties broken by declaration order
   */
  static List<JobNode> check(JobDefinition job, Locator locator) {
    Map<String, JobNode> byId = new LinkedHashMap<>();
    for (JobNode n : job.nodes()) {
      if (byId.put(n.id(), n) != null) {
        throw error(
            n, locator, "id", "duplicate node id '" + n.id() + "'; node ids must be unique");
      }
    }
    Map<String, Integer> consumers = new HashMap<>();
    for (JobNode n : job.nodes()) {
      for (String in : n.inputs()) {
        JobNode from = byId.get(in);
        if (from == null) {
          throw error(
              n,
              locator,
              inputField(n, in),
              "input '"
                  + in
                  + "' is not a node of this job"
                  + suggestion(in, byId.keySet())
                  + "; nodes: "
                  + String.join(", ", byId.keySet()));
        }
        if (from instanceof TargetNode) {
          throw error(
              n,
              locator,
              inputField(n, in),
              "input '"
                  + in
                  + "' is a target, which has no output; read the node the target reads ('"
                  + ((TargetNode) from).input()
                  + "') instead");
        }
        consumers.merge(in, 1, Integer::sum);
      }
    }
    List<String> cycle = findCycle(job.nodes(), byId);
    if (cycle != null) {
      JobNode first = byId.get(cycle.get(0));
      throw error(
          first,
          locator,
          "inputs",
          JobErrorCode.INVALID_GRAPH,
          "the nodes form a cycle: "
              + String.join(" -> ", cycle)
              + "; remove one of these inputs so data flows one way");
    }
    for (JobNode n : job.nodes()) {
      if (!(n instanceof TargetNode) && !consumers.containsKey(n.id())) {
        throw error(
            n,
            locator,
            null,
            JobErrorCode.INVALID_GRAPH,
            "no node reads its output; every path must end in a target (add a target with"
                + " input: "
                + n.id()
                + ", or remove the node)");
      }
    }
    return topological(job.nodes(), byId);
  }

  /** How many times each node is read (a node listed twice by one reader counts twice). */
  static Map<String, Integer> fanOut(List<JobNode> nodes) {
    Map<String, Integer> out = new HashMap<>();
    for (JobNode n : nodes) {
      for (String in : n.inputs()) {
        out.merge(in, 1, Integer::sum);
      }
    }
    return out;
  }

  private static String inputField(JobNode n, String input) {
    if (n instanceof QualityNode q && !q.input().equals(input)) {
      return "references";
    }
    return n instanceof TransformNode ? "inputs" : "input";
  }

  private static List<JobNode> topological(List<JobNode> nodes, Map<String, JobNode> byId) {
    List<JobNode> order = new ArrayList<>();
    Set<String> done = new HashSet<>();
    while (order.size() < nodes.size()) {
      JobNode next = null;
      for (JobNode n : nodes) {
        if (!done.contains(n.id()) && done.containsAll(n.inputs())) {
          next = n;
          break;
        }
      }
      if (next == null) {
        throw new IllegalStateException("cycle not detected before ordering");
      }
      done.add(next.id());
      order.add(next);
    }
    return order;
  }

  private static List<String> findCycle(List<JobNode> nodes, Map<String, JobNode> byId) {
    Map<String, Integer> state = new HashMap<>(); // 1 = on stack, 2 = done
    for (JobNode start : nodes) {
      if (state.containsKey(start.id())) {
        continue;
      }
      Deque<String> path = new ArrayDeque<>();
      List<String> cycle = visit(start.id(), byId, state, path);
      if (cycle != null) {
        return cycle;
      }
    }
    return null;
  }

  private static List<String> visit(
      String id, Map<String, JobNode> byId, Map<String, Integer> state, Deque<String> path) {
    state.put(id, 1);
    path.addLast(id);
    for (String in : byId.get(id).inputs()) {
      Integer s = state.get(in);
      if (s != null && s == 1) {
        // path: id0 reads id1 reads ... reads id, and id reads in (on the path): data flows the
        // other way, so the cycle in data-flow order is the reversed path from in.
        List<String> onStack = new ArrayList<>(path);
        List<String> flow = new ArrayList<>(onStack.subList(onStack.indexOf(in), onStack.size()));
        java.util.Collections.reverse(flow);
        flow.add(flow.get(0));
        return flow;
      }
      if (s == null) {
        List<String> c = visit(in, byId, state, path);
        if (c != null) {
          return c;
        }
      }
    }
    path.removeLast();
    state.put(id, 2);
    return null;
  }

  static String suggestion(String name, java.util.Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d =
          EditDistance.between(
              name.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    int limit = name.length() <= 3 ? 1 : Math.max(2, name.length() / 3);
    if (best != null && bestDistance <= limit) {
      return " (did you mean '" + best + "'?)";
    }
    return "";
  }

  private static JobValidationException error(
      JobNode n, Locator locator, String field, String message) {
    return error(n, locator, field, JobErrorCode.INVALID_GRAPH, message);
  }

  static JobValidationException error(
      JobNode n, Locator locator, String field, JobErrorCode code, String message) {
    int[] at = locator.at(n.id(), field);
    if (at == null && field != null) {
      at = locator.at(n.id(), null);
    }
    return new JobValidationException(
        code,
        n.id(),
        at == null ? 0 : at[0],
        at == null ? 0 : at[1],
        "node '" + n.id() + "' (" + n.type() + "): " + message);
  }
}
