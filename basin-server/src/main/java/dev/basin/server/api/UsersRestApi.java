package dev.basin.server.api;

import static dev.basin.server.api.ApiResponses.error;
import static dev.basin.server.api.ApiResponses.guarded;
import static dev.basin.server.api.ApiResponses.json;
import static dev.basin.server.api.ApiResponses.jsonBody;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.basin.common.error.BasinException;
import dev.basin.common.json.Json;
import dev.basin.server.api.ApiResponses.BadRequest;
import dev.basin.server.auth.Role;
import dev.basin.server.auth.User;
import dev.basin.server.auth.UserErrorCode;
import dev.basin.server.auth.Users;
import dev.basin.server.http.Authenticator;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Iterator;
import java.util.Set;

/**
 * Basin's REST API for named users (admins only; the {@code /api/v1/*} filter and each route check
 * the role):
 *
 * <ul>
 *   <li>{@code GET /api/v1/users} → {@code {"users": [user]}};
 *   <li>{@code POST /api/v1/users} with {@code {"name", "role", "password", "disabled"?}} → 201 and
 *       the user;
 *   <li>{@code GET /api/v1/users/{name}} → the user;
 *   <li>{@code PUT /api/v1/users/{name}} with any of {@code {"password", "role", "disabled"}} → the
 *       user;
 *   <li>{@code DELETE /api/v1/users/{name}} → 204.
 * </ul>
 *
 * A user is {@code {"name", "role", "createdAt", "createdBy", "disabled"}}; the password is never
 * returned. Changing a user's password, role or {@code disabled}, and deleting it, signs the user
 * out of every console session ({@link Users}). Errors: 400 INVALID_USER / INVALID_ARGUMENT, 403
 * FORBIDDEN, 404 USER_NOT_FOUND, 409 USER_EXISTS.
 */
public final class UsersRestApi {
  private static final String BASE = "/api/v1/users";
  private static final Set<String> CREATE_FIELDS = Set.of("name", "role", "password", "disabled");
  private static final Set<String> UPDATE_FIELDS = Set.of("role", "password", "disabled");

  private final Users users;
  private final String adminAccessKeyId;
  private final long maxBodyBytes;

  /**
   * @param adminAccessKeyId the key pair's access key id, which no user may be named after (RLS
   *     rules would not tell them apart)
   */
  public UsersRestApi(Users users, String adminAccessKeyId, long maxBodyBytes) {
    this.users = users;
    this.adminAccessKeyId = adminAccessKeyId;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Registers the routes (authentication is the {@code /api/v1/*} filter's). */
  public void register(io.javalin.router.JavalinDefaultRoutingApi routes) {
    routes.get(BASE, adminOnly(this::list));
    routes.post(BASE, adminOnly(this::create));
    routes.get(BASE + "/{name}", adminOnly(ctx -> json(ctx, 200, toJson(users.get(name(ctx))))));
    routes.put(BASE + "/{name}", adminOnly(this::update));
    routes.delete(
        BASE + "/{name}",
        adminOnly(
            ctx -> {
              users.delete(name(ctx));
              ctx.status(204);
            }));
  }

  /** The JSON form of a user (never its password). */
  public static ObjectNode toJson(User u) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("name", u.name());
    o.put("role", u.role().name());
    o.put("createdAt", u.createdAt().toString());
    o.put("createdBy", u.createdBy());
    o.put("disabled", u.disabled());
    return o;
  }

  private Handler adminOnly(ApiResponses.Action action) {
    Handler inner = guarded(action);
    return ctx -> {
      // The /api/v1/* filter refuses non-admins already; checked again so the route is safe alone.
      Role role = ctx.attribute(Authenticator.ROLE_ATTRIBUTE);
      if (role != Role.ADMIN) {
        String user = ctx.attribute(Authenticator.USER_ATTRIBUTE);
        error(
            ctx,
            403,
            "FORBIDDEN",
            "user '" + user + "' (" + role + ") may not manage users; ask an admin");
        return;
      }
      inner.handle(ctx);
    };
  }

  private void list(Context ctx) {
    ObjectNode out = Json.mapper().createObjectNode();
    ArrayNode arr = out.putArray("users");
    users.list().forEach(u -> arr.add(toJson(u)));
    json(ctx, 200, out);
  }

  private void create(Context ctx) {
    JsonNode in = jsonBody(ctx, maxBodyBytes);
    onlyFields(in, CREATE_FIELDS);
    String name = ApiResponses.text(in, "name", true);
    if (name.equals(adminAccessKeyId)) {
      throw new BasinException(
          UserErrorCode.INVALID_USER,
          "user name '" + name + "' is the server's access key id; choose another name");
    }
    Role role = Role.parse(ApiResponses.text(in, "role", true));
    String password = ApiResponses.text(in, "password", true);
    boolean disabled = bool(in, "disabled", false);
    User u = users.create(name, role, password.toCharArray(), creator(ctx), disabled);
    json(ctx, 201, toJson(u));
  }

  private void update(Context ctx) {
    String name = name(ctx);
    JsonNode in = jsonBody(ctx, maxBodyBytes);
    onlyFields(in, UPDATE_FIELDS);
    if (in.isEmpty()) {
      throw new BadRequest(
          "send at least one of \"password\", \"role\", \"disabled\", e.g. {\"role\": \"author\"}");
    }
    users.get(name);
    // Check every field before changing any, so a bad request changes nothing.
    String password = ApiResponses.text(in, "password", false);
    String roleText = ApiResponses.text(in, "role", false);
    Role role = roleText == null ? null : Role.parse(roleText);
    Boolean disabled = in.has("disabled") ? bool(in, "disabled", false) : null;
    if (password != null) {
      users.setPassword(name, password.toCharArray());
    }
    if (role != null) {
      users.setRole(name, role);
    }
    if (disabled != null) {
      users.setDisabled(name, disabled);
    }
    json(ctx, 200, toJson(users.get(name)));
  }

  private static void onlyFields(JsonNode in, Set<String> allowed) {
    for (Iterator<String> it = in.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new BadRequest(
            "unknown field \""
                + f
                + "\"; a user has "
                + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  private static boolean bool(JsonNode in, String field, boolean dflt) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new BadRequest("\"" + field + "\" must be true or false, was " + v);
    }
    return v.booleanValue();
  }

  private static String name(Context ctx) {
    return ctx.pathParam("name");
  }

  private static String creator(Context ctx) {
    String user = ctx.attribute(Authenticator.USER_ATTRIBUTE);
    return user != null ? user : "anonymous";
  }
}
