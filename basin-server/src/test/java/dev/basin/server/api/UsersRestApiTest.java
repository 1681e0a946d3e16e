package dev.basin.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.basin.common.json.Json;
import dev.basin.server.BasinServer;
import dev.basin.server.TestServers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named users over HTTP against an in-process server: {@code /api/v1/users}, console sign-in as a
 * user, and what each role may do on the native API.
 */
class UsersRestApiTest {
  @TempDir static Path dir;
  private static BasinServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.start(dir, Map.of("sql.threads", "2", "sql.memory-limit", "512MB"));
    admin("POST", "/api/v1/queries", "{`sql`:`CREATE DATABASE hr`,`wait`:true}", 200);
    admin(
        "POST",
        "/api/v1/queries",
        "{`sql`:`CREATE TABLE hr.staff AS SELECT * FROM (VALUES ('Engineering', 3),"
            + " ('Engineering', 4), ('Sales', 5)) AS t(department, people)`,`wait`:true}",
        200);
    admin(
        "POST",
        "/api/v1/datasets",
        "{`name`: `staff`, `table`: `hr.staff`, `rowLevelSecurity`: {`column`: `department`,"
            + " `rules`: {`rita`: [`Sales`], `andy`: [`Engineering`]}}}",
        201);
    admin(
        "POST",
        "/api/v1/dashboards",
        "{`id`: `hr`, `name`: `HR`, `visuals`: [{`id`: `v1`, `type`: `bar`, `dataset`: `staff`,"
            + " `dimensions`: [`department`], `measures`: [{`column`: `people`, `alias`:"
            + " `n`}]}]}",
        201);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> send(String method, String path, String body, String... h)
      throws Exception {
    return TestServers.request(server, method, path, body, h);
  }

  private static String bearer() {
    return TestServers.bearer(server);
  }

  private static JsonNode admin(String method, String path, String body, int status)
      throws Exception {
    return TestServers.json(server, method, path, body, status);
  }

  private static JsonNode error(HttpResponse<String> r) throws Exception {
    return Json.read(r.body(), JsonNode.class).path("error");
  }

  /** A signed-in console session: its cookie and CSRF token. */
  private record Session(String cookie, String csrf, JsonNode json) {
    HttpResponse<String> call(String method, String path, String body) throws Exception {
      List<String> h = new ArrayList<>(List.of("Cookie", cookie));
      if (!method.equals("GET")) {
        h.addAll(List.of("X-Basin-Csrf", csrf));
      }
      return send(method, path, body, h.toArray(String[]::new));
    }
  }

  private static Session signIn(String user, String password) throws Exception {
    HttpResponse<String> r =
        send(
            "POST",
            "/ui/api/session",
            Json.mapper()
                .createObjectNode()
                .put("user", user)
                .put("password", password)
                .toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    JsonNode json = Json.read(r.body(), JsonNode.class);
    return new Session(
        setCookie.substring(0, setCookie.indexOf(';')), json.path("csrfToken").asText(), json);
  }

  private static void createUser(String name, String role) throws Exception {
    admin(
        "POST",
        "/api/v1/users",
        "{`name`: `" + name + "`, `role`: `" + role + "`, `password`: `pw-" + name + "-123`}",
        201);
  }

  @Test
  void adminsManageUsersAndPasswordsNeverComeBack() throws Exception {
    JsonNode created =
        admin(
            "POST",
            "/api/v1/users",
            "{`name`: `mia`, `role`: `author`, `password`: `secret-mia-1`}",
            201);
    assertThat(created.path("name").asText()).isEqualTo("mia");
    assertThat(created.path("role").asText()).isEqualTo("AUTHOR");
    assertThat(created.path("createdBy").asText()).isEqualTo(server.credentials().accessKeyId());
    assertThat(created.path("disabled").asBoolean()).isFalse();
    String list = send("GET", "/api/v1/users", null, "Authorization", bearer()).body();
    assertThat(list).contains("\"mia\"").doesNotContain("secret-mia-1").doesNotContain("pbkdf2");

    JsonNode dup =
        admin(
            "POST",
            "/api/v1/users",
            "{`name`: `mia`, `role`: `reader`, `password`: `x1234567`}",
            409);
    assertThat(dup.path("error").path("code").asText()).isEqualTo("USER_EXISTS");
    assertThat(
            admin(
                    "POST",
                    "/api/v1/users",
                    "{`name`: `Mia!`, `role`: `reader`, `password`: `x1234567`}",
                    400)
                .path("error")
                .path("message")
                .asText())
        .contains("user name 'Mia!' is invalid: use 1 to 64 lower-case letters");
    assertThat(
            admin(
                    "POST",
                    "/api/v1/users",
                    "{`name`: `zed`, `role`: `boss`, `password`: `x1234567`}",
                    400)
                .path("error")
                .path("message")
                .asText())
        .isEqualTo("role 'boss' is unknown; use one of admin, author, reader");
    assertThat(
            admin(
                    "POST",
                    "/api/v1/users",
                    "{`name`: `zed`, `role`: `reader`, `password`: `short`}",
                    400)
                .path("error")
                .path("message")
                .asText())
        .contains("too short");
    assertThat(
            admin("POST", "/api/v1/users", "{`name`: `zed`, `role`: `reader`}", 400)
                .path("error")
                .path("message")
                .asText())
        .isEqualTo("\"password\" is required");
    assertThat(
            admin(
                    "POST",
                    "/api/v1/users",
                    "{`name`: `zed`, `role`: `reader`, `password`: `x1234567`, `admin`: true}",
                    400)
                .path("error")
                .path("message")
                .asText())
        .startsWith("unknown field \"admin\"");
    admin("GET", "/api/v1/users/zed", null, 404);

    // A bad update changes nothing.
    admin("PUT", "/api/v1/users/mia", "{`role`: `reader`, `password`: `short`}", 400);
    assertThat(admin("GET", "/api/v1/users/mia", null, 200).path("role").asText())
        .isEqualTo("AUTHOR");
    admin("PUT", "/api/v1/users/mia", "{}", 400);
    admin("PUT", "/api/v1/users/nobody", "{`role`: `reader`}", 404);
    assertThat(
            admin("PUT", "/api/v1/users/mia", "{`role`: `reader`, `disabled`: true}", 200)
                .path("disabled")
                .asBoolean())
        .isTrue();
    admin("DELETE", "/api/v1/users/mia", null, 204);
    admin("DELETE", "/api/v1/users/mia", null, 404);
  }

  @Test
  void signInFailuresAllLookTheSame() throws Exception {
    createUser("dora", "reader");
    admin("PUT", "/api/v1/users/dora", "{`disabled`: true}", 200);
    createUser("otto", "reader");
    List<String> bodies =
        List.of(
            "{`user`: `otto`, `password`: `wrong-password`}",
            "{`user`: `nobody`, `password`: `pw-nobody-123`}",
            "{`user`: `dora`, `password`: `pw-dora-123`}",
            "{`user`: `OTTO`, `password`: `pw-otto-123`}",
            "{`accessKeyId`: `"
                + server.credentials().accessKeyId()
                + "`, `secretAccessKey`: `x`}");
    String first = null;
    for (String body : bodies) {
      HttpResponse<String> r = send("POST", "/ui/api/session", body);
      assertThat(r.statusCode()).as(body).isEqualTo(401);
      assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
      if (first == null) {
        first = r.body();
      }
      assertThat(r.body()).as(body).isEqualTo(first);
    }
    assertThat(first)
        .contains("UNAUTHENTICATED")
        .contains("wrong access key id or secret access key, or wrong user name or password");
    HttpResponse<String> missing = send("POST", "/ui/api/session", "{`user`: `otto`}");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(error(missing).path("message").asText())
        .isEqualTo("enter both the user name and the password");
  }

  @Test
  void readersSeeDashboardsAndTheirOwnRowsOnly() throws Exception {
    createUser("rita", "reader");
    Session rita = signIn("rita", "pw-rita-123");
    assertThat(rita.json().path("user").asText()).isEqualTo("rita");
    assertThat(rita.json().path("role").asText()).isEqualTo("READER");
    assertThat(rita.json().has("accessKeyId")).isFalse();
    JsonNode session = Json.read(rita.call("GET", "/ui/api/session", null).body(), JsonNode.class);
    assertThat(session.path("user").asText()).isEqualTo("rita");
    assertThat(session.path("role").asText()).isEqualTo("READER");

    assertThat(rita.call("GET", "/api/v1/dashboards", null).statusCode()).isEqualTo(200);
    assertThat(rita.call("GET", "/api/v1/dashboards/hr", null).statusCode()).isEqualTo(200);
    assertThat(rita.call("GET", "/api/v1/datasets/staff", null).statusCode()).isEqualTo(200);
    HttpResponse<String> data = rita.call("POST", "/api/v1/dashboards/hr/visuals/v1/data", "{}");
    assertThat(data.statusCode()).as(data.body()).isEqualTo(200);
    assertThat(Json.read(data.body(), JsonNode.class).path("rows").toString())
        .isEqualTo("[[\"Sales\",5]]");
    HttpResponse<String> csv = rita.call("GET", "/api/v1/dashboards/hr/visuals/v1/data.csv", null);
    assertThat(csv.body()).contains("Sales").doesNotContain("Engineering");

    HttpResponse<String> query =
        rita.call("POST", "/api/v1/queries", "{`sql`: `SELECT * FROM hr.staff`}");
    assertThat(query.statusCode()).isEqualTo(403);
    assertThat(error(query).path("code").asText()).isEqualTo("FORBIDDEN");
    assertThat(error(query).path("message").asText())
        .startsWith("user 'rita' (READER) may not POST /api/v1/queries; ask an admin");
    for (String[] call :
        new String[][] {
          {"GET", "/api/v1/queries", null},
          {"GET", "/api/v1/catalog/databases", null},
          {"GET", "/api/v1/streams", null},
          {"GET", "/api/v1/users", null},
          {"PUT", "/api/v1/dashboards/hr", "{`id`: `hr`, `name`: `mine`, `visuals`: []}"},
          {"DELETE", "/api/v1/dashboards/hr", null},
          {"POST", "/api/v1/datasets", "{`name`: `x`, `table`: `hr.staff`}"},
          {"POST", "/api/v1/visuals/preview", "{`visual`: {}}"}
        }) {
      HttpResponse<String> r = rita.call(call[0], call[1], call[2]);
      assertThat(r.statusCode()).as(call[0] + " " + call[1]).isEqualTo(403);
    }
    assertThat(admin("GET", "/api/v1/dashboards/hr", null, 200).path("name").asText())
        .isEqualTo("HR");
  }

  @Test
  void authorsEditDashboardsAndQueryButDoNotAdminister() throws Exception {
    createUser("andy", "author");
    Session andy = signIn("andy", "pw-andy-123");
    HttpResponse<String> q =
        andy.call("POST", "/api/v1/queries", "{`sql`: `SELECT 1 AS one`, `wait`: true}");
    assertThat(q.statusCode()).as(q.body()).isEqualTo(200);
    assertThat(andy.call("GET", "/api/v1/catalog/databases", null).statusCode()).isEqualTo(200);
    HttpResponse<String> data = andy.call("POST", "/api/v1/dashboards/hr/visuals/v1/data", "{}");
    assertThat(Json.read(data.body(), JsonNode.class).path("rows").toString())
        .isEqualTo("[[\"Engineering\",7]]");
    assertThat(andy.call("POST", "/api/v1/catalog/databases", "{`name`: `x`}").statusCode())
        .isEqualTo(403);
    assertThat(andy.call("POST", "/api/v1/streams", "{`name`: `s`}").statusCode()).isEqualTo(403);
    HttpResponse<String> users = andy.call("POST", "/api/v1/users", "{`name`: `evil`}");
    assertThat(users.statusCode()).isEqualTo(403);
    assertThat(error(users).path("message").asText())
        .startsWith("user 'andy' (AUTHOR) may not POST /api/v1/users");
    // Without the CSRF header a state-changing call is not authenticated at all.
    assertThat(
            send("POST", "/api/v1/queries", "{`sql`: `SELECT 1`}", "Cookie", andy.cookie())
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  void roleChangesAndDisablingEndOpenSessions() throws Exception {
    createUser("pat", "reader");
    Session pat = signIn("pat", "pw-pat-123");
    assertThat(pat.call("GET", "/api/v1/catalog/databases", null).statusCode()).isEqualTo(403);
    admin("PUT", "/api/v1/users/pat", "{`role`: `author`}", 200);
    // a role change signs the user out; the new role comes with the next sign-in
    assertThat(pat.call("GET", "/api/v1/catalog/databases", null).statusCode()).isEqualTo(401);
    pat = signIn("pat", "pw-pat-123");
    assertThat(pat.call("GET", "/api/v1/catalog/databases", null).statusCode()).isEqualTo(200);
    assertThat(
            Json.read(pat.call("GET", "/ui/api/session", null).body(), JsonNode.class)
                .path("role")
                .asText())
        .isEqualTo("AUTHOR");
    admin("PUT", "/api/v1/users/pat", "{`disabled`: true}", 200);
    HttpResponse<String> refused = pat.call("GET", "/api/v1/dashboards", null);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(error(refused).path("code").asText()).isEqualTo("UNAUTHENTICATED");
    assertThat(pat.call("GET", "/ui/api/session", null).statusCode()).isEqualTo(401);
    // re-enabling does not revive the ended session
    admin("PUT", "/api/v1/users/pat", "{`disabled`: false}", 200);
    assertThat(pat.call("GET", "/api/v1/dashboards", null).statusCode()).isEqualTo(401);
    Session again = signIn("pat", "pw-pat-123");
    admin("DELETE", "/api/v1/users/pat", null, 204);
    assertThat(again.call("GET", "/api/v1/dashboards", null).statusCode()).isEqualTo(401);
  }

  @Test
  void aPasswordResetAndDeleteThenRecreateEndOpenSessions() throws Exception {
    createUser("sam", "author");
    Session sam = signIn("sam", "pw-sam-123");
    assertThat(sam.call("GET", "/api/v1/dashboards", null).statusCode()).isEqualTo(200);
    admin("PUT", "/api/v1/users/sam", "{`password`: `a-new-password`}", 200);
    assertThat(sam.call("GET", "/api/v1/dashboards", null).statusCode()).isEqualTo(401);
    Session again = signIn("sam", "a-new-password");
    admin("DELETE", "/api/v1/users/sam", null, 204);
    createUser("sam", "admin");
    // the new 'sam' is someone else: the old session does not become theirs
    assertThat(again.call("GET", "/api/v1/users", null).statusCode()).isEqualTo(401);
    assertThat(again.call("GET", "/ui/api/session", null).statusCode()).isEqualTo(401);
  }

  @Test
  void aUserCreatedDisabledCannotSignIn() throws Exception {
    JsonNode u =
        admin(
            "POST",
            "/api/v1/users",
            "{`name`: `dan`, `role`: `author`, `password`: `pw-dan-123`, `disabled`: true}",
            201);
    assertThat(u.path("disabled").asBoolean()).isTrue();
    assertThat(admin("GET", "/api/v1/users/dan", null, 200).path("disabled").asBoolean()).isTrue();
    assertThat(
            send("POST", "/ui/api/session", "{`user`: `dan`, `password`: `pw-dan-123`}")
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  void repeatedWrongPasswordsBackOffWith429() throws Exception {
    createUser("lou", "reader");
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r =
          send("POST", "/ui/api/session", "{`user`: `lou`, `password`: `wrong-password`}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
    }
    // now even the right password is not checked, and the answer says so (not "wrong password")
    HttpResponse<String> r =
        send("POST", "/ui/api/session", "{`user`: `lou`, `password`: `pw-lou-123`}");
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(v -> v.matches("\\d+"));
    assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()))
        .isBetween(1L, 30L);
    assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(error(r).path("code").asText()).isEqualTo("TOO_MANY_SIGN_INS");
    assertThat(error(r).path("message").asText())
        .startsWith("too many failed sign-ins for user 'lou'; wait ");
  }

  @Test
  void authorsRunReadOnlyStatementsOnly() throws Exception {
    createUser("ada", "author");
    Session ada = signIn("ada", "pw-ada-123");
    for (String sql :
        new String[] {
          "DROP DATABASE hr CASCADE",
          "DROP TABLE hr.staff",
          "CREATE DATABASE mine",
          "CREATE TABLE hr.mine AS SELECT 1 AS x",
          "INSERT INTO hr.staff VALUES ('Legal', 1)",
          "ALTER TABLE hr.staff RENAME TO hr.gone"
        }) {
      HttpResponse<String> r =
          ada.call("POST", "/api/v1/queries", "{`sql`: `" + sql + "`, `wait`: true}");
      assertThat(r.statusCode()).as(sql + ": " + r.body()).isEqualTo(403);
      assertThat(error(r).path("code").asText()).isEqualTo("FORBIDDEN");
      assertThat(error(r).path("message").asText())
          .isEqualTo("authors may run SELECT queries only; ask an admin to run DDL or writes");
    }
    // nothing changed
    JsonNode rows =
        admin(
                "POST",
                "/api/v1/queries",
                "{`sql`: `SELECT count(*) FROM hr.staff`, `wait`: true, `includeResults`: true}",
                200)
            .path("results")
            .path("rows");
    assertThat(rows.toString()).isEqualTo("[[3]]");
    HttpResponse<String> select =
        ada.call(
            "POST",
            "/api/v1/queries",
            "{`sql`: `SELECT department FROM hr.staff ORDER BY people DESC LIMIT 1`, `wait`: true,"
                + " `includeResults`: true}");
    assertThat(select.statusCode()).as(select.body()).isEqualTo(200);
    assertThat(Json.read(select.body(), JsonNode.class).path("results").path("rows").toString())
        .isEqualTo("[[\"Sales\"]]");
    HttpResponse<String> show = ada.call("POST", "/api/v1/queries", "{`sql`: `SHOW TABLES IN hr`}");
    assertThat(show.statusCode()).as(show.body()).isIn(200, 202);
    HttpResponse<String> typo = ada.call("POST", "/api/v1/queries", "{`sql`: `SELEC 1`}");
    assertThat(typo.statusCode()).as(typo.body()).isEqualTo(400);
    assertThat(error(typo).path("code").asText()).isEqualTo("SYNTAX_ERROR");
  }

  @Test
  void authorsQueryCatalogTablesOnlyNotFiles() throws Exception {
    createUser("fred", "author");
    Session fred = signIn("fred", "pw-fred-123");
    String lake = dir.resolve("lake").toString();
    Map<String, String> refused =
        Map.of(
            "SELECT * FROM read_text('" + lake + "/**')",
            "table function read_text",
            "SELECT file FROM glob('" + lake + "/results/**')",
            "table function glob",
            "SELECT * FROM hr.staff WHERE current_setting('threads') > 0",
            "function current_setting");
    for (Map.Entry<String, String> e : refused.entrySet()) {
      HttpResponse<String> r =
          fred.call("POST", "/api/v1/queries", "{`sql`: `" + e.getKey() + "`, `wait`: true}");
      assertThat(r.statusCode()).as(e.getKey() + ": " + r.body()).isEqualTo(403);
      assertThat(error(r).path("code").asText()).isEqualTo("FORBIDDEN");
      assertThat(error(r).path("message").asText())
          .isEqualTo(
              "authors may query catalog tables only, not files: "
                  + e.getValue()
                  + "; ask an admin");
    }
    // refused before the engine opens the file: neither a dry run's columns nor an error message
    // shows its first line
    java.nio.file.Files.writeString(dir.resolve("lake").resolve("secret.csv"), "topsecret\n1\n");
    String secret = "SELECT * FROM read_csv('" + lake + "/secret.csv')";
    for (String path : List.of("/api/v1/queries/dry-run", "/api/v1/queries")) {
      HttpResponse<String> r = fred.call("POST", path, "{`sql`: `" + secret + "`}");
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(403);
      assertThat(r.body()).contains("table function read_csv").doesNotContain("topsecret");
    }
    // admins still may
    JsonNode files =
        admin(
                "POST",
                "/api/v1/queries",
                "{`sql`: `SELECT count(*) > 0 FROM glob('"
                    + lake
                    + "/**')`, `wait`: true, `includeResults`: true}",
                200)
            .path("results")
            .path("rows");
    assertThat(files.toString()).isEqualTo("[[true]]");
    // and authors query catalog tables as before
    HttpResponse<String> select =
        fred.call(
            "POST",
            "/api/v1/queries",
            "{`sql`: `WITH s AS (SELECT * FROM hr.staff) SELECT sum(people) FROM s, range(1)`,"
                + " `wait`: true, `includeResults`: true}");
    assertThat(select.statusCode()).as(select.body()).isEqualTo(200);
    assertThat(Json.read(select.body(), JsonNode.class).path("results").path("rows").toString())
        .isEqualTo("[[12]]");

    // datasets: neither their SQL nor a calculated field may read files
    HttpResponse<String> sqlFile =
        fred.call(
            "POST",
            "/api/v1/datasets",
            "{`name`: `files`, `sql`: `SELECT * FROM read_csv('" + lake + "/x.csv')`}");
    assertThat(sqlFile.statusCode()).as(sqlFile.body()).isEqualTo(403);
    assertThat(error(sqlFile).path("message").asText())
        .isEqualTo(
            "authors may query catalog tables only, not files: table function read_csv; ask an"
                + " admin");
    admin("GET", "/api/v1/datasets/files", null, 404);
    String field =
        "`calculatedFields`: [{`name`: `n`, `expression`: `(SELECT count(*) FROM glob('/'))`}]";
    HttpResponse<String> fieldFile =
        fred.call(
            "POST", "/api/v1/datasets", "{`name`: `files`, `table`: `hr.staff`, " + field + "}");
    assertThat(fieldFile.statusCode()).as(fieldFile.body()).isEqualTo(403);
    assertThat(error(fieldFile).path("message").asText()).contains("table function glob");
    admin("GET", "/api/v1/datasets/files", null, 404);
    assertThat(
            fred.call(
                    "POST",
                    "/api/v1/datasets",
                    "{`name`: `files`, `sql`: `SELECT department, people FROM hr.staff`}")
                .statusCode())
        .isEqualTo(201);
    HttpResponse<String> update =
        fred.call("PUT", "/api/v1/datasets/files", "{`table`: `hr.staff`, " + field + "}");
    assertThat(update.statusCode()).as(update.body()).isEqualTo(403);
    HttpResponse<String> imported =
        fred.call(
            "POST",
            "/api/v1/dashboards/import",
            "{`dashboard`: {`id`: `fimp`, `name`: `Fimp`, `visuals`: []}, `datasets`: [{`name`:"
                + " `fimported`, `sql`: `SELECT * FROM 'x.csv'`}]}");
    assertThat(imported.statusCode()).as(imported.body()).isEqualTo(403);
    admin("GET", "/api/v1/datasets/fimported", null, 404);
    // an admin's dataset may read files
    admin(
        "POST",
        "/api/v1/datasets",
        "{`name`: `adminfiles`, `sql`: `SELECT file FROM glob('" + lake + "/**')`}",
        201);
  }

  @Test
  void nonAdminsSeeFetchAndCancelOnlyTheirOwnQueries() throws Exception {
    String adminQuery =
        admin("POST", "/api/v1/queries", "{`sql`: `SELECT 42 AS secret`, `wait`: true}", 200)
            .path("id")
            .asText();
    createUser("eve", "author");
    Session eve = signIn("eve", "pw-eve-123");
    HttpResponse<String> own =
        eve.call("POST", "/api/v1/queries", "{`sql`: `SELECT 7 AS mine`, `wait`: true}");
    assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
    String ownId = Json.read(own.body(), JsonNode.class).path("id").asText();
    for (String[] call :
        new String[][] {
          {"GET", "/api/v1/queries/" + adminQuery},
          {"GET", "/api/v1/queries/" + adminQuery + "?waitSeconds=1"},
          {"GET", "/api/v1/queries/" + adminQuery + "/results"},
          {"GET", "/api/v1/queries/" + adminQuery + "/results.csv"},
          {"DELETE", "/api/v1/queries/" + adminQuery}
        }) {
      HttpResponse<String> r = eve.call(call[0], call[1], null);
      assertThat(r.statusCode()).as(call[0] + " " + call[1]).isEqualTo(404);
      assertThat(error(r).path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
      assertThat(r.body()).doesNotContain("secret");
    }
    HttpResponse<String> list = eve.call("GET", "/api/v1/queries?limit=1000", null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains(ownId).doesNotContain(adminQuery).doesNotContain("secret");
    assertThat(eve.call("GET", "/api/v1/queries/" + ownId + "/results", null).body())
        .contains("[[7]]");
    assertThat(eve.call("GET", "/api/v1/queries/" + ownId + "/results.csv", null).statusCode())
        .isEqualTo(200);
    // admins see everyone's
    assertThat(send("GET", "/api/v1/queries?limit=1000", null, "Authorization", bearer()).body())
        .contains(ownId)
        .contains(adminQuery);
    admin("GET", "/api/v1/queries/" + ownId + "/results", null, 200);
  }

  @Test
  void onlyAdminsSetOrChangeRowLevelSecurity() throws Exception {
    createUser("otis", "author");
    Session otis = signIn("otis", "pw-otis-123");
    String rls = "`rowLevelSecurity`: {`column`: `department`, `rules`: {`otis`: [`Sales`]}}";
    HttpResponse<String> create =
        otis.call("POST", "/api/v1/datasets", "{`name`: `mine`, `table`: `hr.staff`, " + rls + "}");
    assertThat(create.statusCode()).as(create.body()).isEqualTo(403);
    assertThat(error(create).path("code").asText()).isEqualTo("FORBIDDEN");
    assertThat(error(create).path("message").asText())
        .startsWith(
            "user 'otis' (AUTHOR) may not set, change or remove a dataset's rowLevelSecurity");
    admin("GET", "/api/v1/datasets/mine", null, 404);

    // without row-level security authors create and edit datasets as before
    assertThat(
            otis.call("POST", "/api/v1/datasets", "{`name`: `mine`, `table`: `hr.staff`}")
                .statusCode())
        .isEqualTo(201);
    assertThat(
            otis.call("PUT", "/api/v1/datasets/mine", "{`name`: `mine`, `table`: `hr.staff`}")
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> add =
        otis.call("PUT", "/api/v1/datasets/mine", "{`table`: `hr.staff`, " + rls + "}");
    assertThat(add.statusCode()).as(add.body()).isEqualTo(403);

    // the admin's rules on 'staff' can be neither changed nor removed by an author
    HttpResponse<String> change =
        otis.call("PUT", "/api/v1/datasets/staff", "{`table`: `hr.staff`, " + rls + "}");
    assertThat(change.statusCode()).as(change.body()).isEqualTo(403);
    HttpResponse<String> remove =
        otis.call("PUT", "/api/v1/datasets/staff", "{`table`: `hr.staff`}");
    assertThat(remove.statusCode()).as(remove.body()).isEqualTo(403);
    JsonNode rules =
        admin("GET", "/api/v1/datasets/staff", null, 200).path("rowLevelSecurity").path("rules");
    assertThat(rules.size()).isEqualTo(2);
    assertThat(rules.path("rita").toString()).isEqualTo("[\"Sales\"]");
    assertThat(rules.path("andy").toString()).isEqualTo("[\"Engineering\"]");

    // nor through an import that would create a dataset with rules
    HttpResponse<String> imported =
        otis.call(
            "POST",
            "/api/v1/dashboards/import",
            "{`dashboard`: {`id`: `imp`, `name`: `Imp`, `visuals`: []}, `datasets`: [{`name`:"
                + " `imported`, `table`: `hr.staff`, "
                + rls
                + "}]}");
    assertThat(imported.statusCode()).as(imported.body()).isEqualTo(403);
    admin("GET", "/api/v1/datasets/imported", null, 404);
  }

  @Test
  void usersNeverReachTheAwsApisOrMetrics() throws Exception {
    createUser("ivy", "admin");
    Session ivy = signIn("ivy", "pw-ivy-123");
    assertThat(ivy.json().path("role").asText()).isEqualTo("ADMIN");
    assertThat(ivy.call("GET", "/api/v1/users", null).statusCode()).isEqualTo(200);
    assertThat(ivy.call("GET", "/metrics", null).statusCode()).isEqualTo(401);
    HttpResponse<String> kinesis =
        send(
            "POST",
            "/",
            "{}",
            "Cookie",
            ivy.cookie(),
            "X-Amz-Target",
            "Kinesis_20131202.ListStreams",
            "Content-Type",
            "application/x-amz-json-1.1");
    assertThat(kinesis.statusCode()).isIn(400, 403);
    HttpResponse<String> noAuth = send("GET", "/api/v1/users", null);
    assertThat(noAuth.statusCode()).isEqualTo(401);
    assertThat(error(noAuth).path("code").asText()).isEqualTo("UNAUTHENTICATED");
  }
}
