package dev.basin.server.auth;

import java.util.Set;

/**
 * Which native API ({@code /api/v1/…}) requests each {@link Role} may make. The server's key pair
 * and {@link Role#ADMIN} users may make every request; {@link Role#AUTHOR} users may use datasets,
 * dashboards, visuals, queries and named queries and read the catalog and workgroups; {@link
 * Role#READER} users may read datasets and dashboards (their versions, CSV and PNG/PDF exports) and
 * ask for the data and insights of a saved dashboard's visuals, nothing else. Users are never
 * managed by anyone but admins. Stateless.
 *
 * <p>This is the first check, by resource and method; the resources narrow it further for
 * non-admins: {@code QueriesRestApi} runs only read-only statements for authors and shows them only
 * their own executions, and {@code DashboardsRestApi} lets only admins change a dataset's row-level
 * security.
 */
public final class Permissions {
  private static final String PREFIX = "/api/v1/";
  private static final Set<String> AUTHOR_WRITES =
      Set.of("dashboards", "datasets", "visuals", "queries", "named-queries");
  private static final Set<String> AUTHOR_READS = Set.of("catalog", "workgroups");
  private static final Set<String> READER_READS = Set.of("dashboards", "datasets");

  private Permissions() {}

  /**
   * Whether {@code role} may make a request.
   *
   * @param method the HTTP method, upper case
   * @param path the request path, e.g. {@code /api/v1/dashboards/sales/visuals/v1/data}
   */
  public static boolean allows(Role role, String method, String path) {
    if (role == Role.ADMIN) {
      return true;
    }
    if (role == null || path == null || !path.startsWith(PREFIX)) {
      return false;
    }
    String[] segments = path.substring(PREFIX.length()).split("/", -1);
    String resource = segments[0];
    boolean read = method.equals("GET") || method.equals("HEAD");
    if (role == Role.AUTHOR) {
      return AUTHOR_WRITES.contains(resource) || (read && AUTHOR_READS.contains(resource));
    }
    if (read) {
      return READER_READS.contains(resource);
    }
    // POST /api/v1/dashboards/{id}/visuals/{visualId}/data|insights: a saved visual's data
    return method.equals("POST")
        && segments.length == 5
        && resource.equals("dashboards")
        && segments[2].equals("visuals")
        && !segments[1].isEmpty()
        && !segments[3].isEmpty()
        && (segments[4].equals("data") || segments[4].equals("insights"));
  }

  /** The message of a refused request: who, which request, and what to do. */
  public static String denial(String user, Role role, String method, String path) {
    return "user '"
        + user
        + "' ("
        + role
        + ") may not "
        + method
        + " "
        + path
        + "; ask an admin for a role that allows it (readers may view dashboards and datasets,"
        + " authors may also edit them and run queries)";
  }
}
