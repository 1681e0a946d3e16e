package dev.basin.server.auth;

import java.util.Objects;

/**
 * Who signed a request, as established by {@link SigV4Verifier}: the access key id and the region
 * and service named in the signature's credential scope. The region is whatever the client signed
 * with; Basin accepts any.
 */
public record Principal(String accessKeyId, String region, String service) {
  public Principal {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(service, "service");
  }
}
