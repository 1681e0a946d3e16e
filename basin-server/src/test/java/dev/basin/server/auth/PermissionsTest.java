package dev.basin.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PermissionsTest {
  private static boolean may(Role role, String method, String path) {
    return Permissions.allows(role, method, path);
  }

  @Test
  void adminsMayDoEverything() {
    assertThat(may(Role.ADMIN, "DELETE", "/api/v1/streams/orders")).isTrue();
    assertThat(may(Role.ADMIN, "POST", "/api/v1/users")).isTrue();
  }

  @Test
  void authorsUseDashboardsAndQueriesAndReadTheCatalog() {
    assertThat(may(Role.AUTHOR, "POST", "/api/v1/datasets")).isTrue();
    assertThat(may(Role.AUTHOR, "PUT", "/api/v1/dashboards/sales")).isTrue();
    assertThat(may(Role.AUTHOR, "POST", "/api/v1/visuals/preview")).isTrue();
    assertThat(may(Role.AUTHOR, "POST", "/api/v1/queries")).isTrue();
    assertThat(may(Role.AUTHOR, "GET", "/api/v1/catalog/databases/shop/tables")).isTrue();
    assertThat(may(Role.AUTHOR, "POST", "/api/v1/catalog/databases")).isFalse();
    assertThat(may(Role.AUTHOR, "DELETE", "/api/v1/catalog/databases/shop")).isFalse();
    assertThat(may(Role.AUTHOR, "GET", "/api/v1/streams")).isFalse();
    assertThat(may(Role.AUTHOR, "POST", "/api/v1/jobs")).isFalse();
    assertThat(may(Role.AUTHOR, "GET", "/api/v1/users")).isFalse();
  }

  @Test
  void readersViewDashboardsAndDatasetsAndTheirVisualsData() {
    assertThat(may(Role.READER, "GET", "/api/v1/dashboards")).isTrue();
    assertThat(may(Role.READER, "GET", "/api/v1/dashboards/sales")).isTrue();
    assertThat(may(Role.READER, "GET", "/api/v1/datasets/orders")).isTrue();
    assertThat(may(Role.READER, "GET", "/api/v1/dashboards/sales/visuals/v1/data.csv")).isTrue();
    assertThat(may(Role.READER, "GET", "/api/v1/dashboards/sales/export.png")).isTrue();
    assertThat(may(Role.READER, "POST", "/api/v1/dashboards/sales/visuals/v1/data")).isTrue();
    assertThat(may(Role.READER, "POST", "/api/v1/dashboards/sales/visuals/v1/insights")).isTrue();

    assertThat(may(Role.READER, "POST", "/api/v1/dashboards")).isFalse();
    assertThat(may(Role.READER, "PUT", "/api/v1/dashboards/sales")).isFalse();
    assertThat(may(Role.READER, "DELETE", "/api/v1/dashboards/sales")).isFalse();
    assertThat(may(Role.READER, "POST", "/api/v1/dashboards/import")).isFalse();
    assertThat(may(Role.READER, "POST", "/api/v1/datasets")).isFalse();
    assertThat(may(Role.READER, "POST", "/api/v1/visuals/preview")).isFalse();
    assertThat(may(Role.READER, "POST", "/api/v1/visuals/insights")).isFalse();
    assertThat(may(Role.READER, "POST", "/api/v1/dashboards/sales/visuals/v1/other")).isFalse();
    assertThat(may(Role.READER, "POST", "/api/v1/dashboards//visuals//data")).isFalse();
    assertThat(may(Role.READER, "POST", "/api/v1/queries")).isFalse();
    assertThat(may(Role.READER, "GET", "/api/v1/queries")).isFalse();
    assertThat(may(Role.READER, "GET", "/api/v1/catalog/databases")).isFalse();
    assertThat(may(Role.READER, "GET", "/metrics")).isFalse();
    assertThat(may(null, "GET", "/api/v1/dashboards")).isFalse();
  }

  @Test
  void theDenialSaysWhoWhatAndWhatToDo() {
    assertThat(Permissions.denial("bob", Role.READER, "POST", "/api/v1/queries"))
        .startsWith("user 'bob' (READER) may not POST /api/v1/queries; ask an admin");
  }
}
