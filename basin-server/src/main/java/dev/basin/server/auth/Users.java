package dev.basin.server.auth;

import dev.basin.catalog.CatalogConfig;
import dev.basin.common.error.BasinException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Named users of the web console and the native API, with a {@link Role} each, kept in the metadata
 * database. They are separate from the server's key pair (which stays the admin and the only
 * identity the AWS-compatible APIs and pgwire accept), like QuickSight users are separate from IAM.
 *
 * <p>Names are 1 to 64 characters: a lower-case letter, then lower-case letters, digits, {@code .},
 * {@code _}, {@code @} or {@code -}; lower case keeps them apart from access key ids, which are
 * upper case, so a user can never pass for the key pair in row-level security rules. Passwords are
 * 8 to 1,024 characters and stored only as PBKDF2 hashes ({@link PasswordHashes}); callers pass
 * them as {@code char[]}, which this class clears when done.
 *
 * <p>Every change to a user's password, role or enabled state, and its deletion, signs the user
 * out: the {@link #onSignOut} listeners (the console's sessions) hear of it once the change is
 * durable, before the method returns, so no session outlives the credentials or the role it was
 * signed in with, and none comes back when the user is re-enabled or re-created.
 *
 * <p>Thread-safe. Every change is durable when the method returns.
 */
public final class Users implements AutoCloseable {
  /** The longest user name. */
  public static final int MAX_NAME_LENGTH = 64;

  static final int MIN_PASSWORD_LENGTH = 8;
  static final int MAX_PASSWORD_LENGTH = 1024;
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._@-]{0,63}");

  private final UserStore store;
  private final PasswordHashes hashes;
  private final Clock clock;
  private final List<Consumer<String>> signOutListeners = new CopyOnWriteArrayList<>();

  private Users(UserStore store, PasswordHashes hashes, Clock clock) {
    this.store = store;
    this.hashes = hashes;
    this.clock = clock;
  }

  /**
   * Opens the users table in the catalog's metadata database, creating it if needed.
   *
   * @throws BasinException ({@code USER_STORE_FAILURE}) if the database cannot be used
   */
  public static Users open(CatalogConfig config, Clock clock) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    return new Users(UserStore.open(config), new PasswordHashes(new SecureRandom()), clock);
  }

  /**
   * Adds a listener that ends every session of the user it is given (see the class comment). It is
   * called on the thread that made the change and must not throw.
   */
  public void onSignOut(Consumer<String> listener) {
    signOutListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  private void signOut(String name) {
    for (Consumer<String> l : signOutListeners) {
      l.accept(name);
    }
  }

  /**
   * Checks a user name.
   *
   * @return the name
   * @throws BasinException ({@code INVALID_USER}) saying what a valid name looks like
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new BasinException(
          UserErrorCode.INVALID_USER,
          "user name '"
              + name
              + "' is invalid: use 1 to "
              + MAX_NAME_LENGTH
              + " lower-case letters, digits, '.', '_', '@' or '-', starting with a letter");
    }
    if (name.equals("anonymous")) {
      throw new BasinException(
          UserErrorCode.INVALID_USER,
          "user name 'anonymous' is reserved (it names requests when authentication is off);"
              + " choose another");
    }
    return name;
  }

  private static void checkPassword(String name, char[] password) {
    if (password == null || password.length < MIN_PASSWORD_LENGTH) {
      throw new BasinException(
          UserErrorCode.INVALID_USER,
          "the password for '"
              + name
              + "' is too short: use at least "
              + MIN_PASSWORD_LENGTH
              + " characters");
    }
    if (password.length > MAX_PASSWORD_LENGTH) {
      throw new BasinException(
          UserErrorCode.INVALID_USER,
          "the password for '"
              + name
              + "' is too long: use at most "
              + MAX_PASSWORD_LENGTH
              + " characters");
    }
  }

  /**
   * Creates a user. Clears {@code password}.
   *
   * @param createdBy who asked: a user name or the key pair's access key id
   * @throws BasinException {@code INVALID_USER} for a bad name or password, {@code USER_EXISTS} if
   *     the name is taken
   */
  public User create(String name, Role role, char[] password, String createdBy) {
    return create(name, role, password, createdBy, false);
  }

  /**
   * Creates a user, enabled or disabled, in one transaction. Clears {@code password}.
   *
   * @param createdBy who asked: a user name or the key pair's access key id
   * @param disabled whether the user starts disabled (cannot sign in until enabled)
   * @throws BasinException {@code INVALID_USER} for a bad name or password, {@code USER_EXISTS} if
   *     the name is taken
   */
  public User create(String name, Role role, char[] password, String createdBy, boolean disabled) {
    try {
      checkName(name);
      Objects.requireNonNull(role, "role");
      checkPassword(name, password);
      User u = new User(name, role, clock.instant(), createdBy, disabled);
      if (!store.insert(u, hashes.hash(password))) {
        throw new BasinException(
            UserErrorCode.USER_EXISTS,
            "user '"
                + name
                + "' exists already; change it with PUT /api/v1/users/"
                + name
                + " or `basin user set-role|set-password`");
      }
      // No session can exist for a new name; this only guards against one left from before.
      signOut(name);
      return u;
    } finally {
      PasswordHashes.clear(password);
    }
  }

  /** Every user, by name. */
  public List<User> list() {
    return store.list();
  }

  /** The user with this name; empty when there is none or the name is not a valid one. */
  public Optional<User> find(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    return store.find(name).map(UserStore.StoredUser::user);
  }

  /**
   * The user with this name.
   *
   * @throws BasinException ({@code USER_NOT_FOUND})
   */
  public User get(String name) {
    return find(name).orElseThrow(() -> notFound(name));
  }

  /**
   * Replaces a user's password and signs the user out everywhere. Clears {@code password}.
   *
   * @throws BasinException {@code INVALID_USER} for a bad password, {@code USER_NOT_FOUND}
   */
  public User setPassword(String name, char[] password) {
    try {
      checkPassword(name, password);
      if (!store.set(name, "password_hash", hashes.hash(password), clock.instant())) {
        throw notFound(name);
      }
      signOut(name);
      return get(name);
    } finally {
      PasswordHashes.clear(password);
    }
  }

  /**
   * Changes a user's role and signs the user out everywhere: the new role applies from the next
   * sign-in.
   *
   * @throws BasinException ({@code USER_NOT_FOUND})
   */
  public User setRole(String name, Role role) {
    Objects.requireNonNull(role, "role");
    if (!store.set(name, "role", role.name(), clock.instant())) {
      throw notFound(name);
    }
    signOut(name);
    return get(name);
  }

  /**
   * Disables or re-enables a user, and signs the user out everywhere. A disabled user cannot sign
   * in; re-enabling does not bring back the sessions that ended.
   *
   * @throws BasinException ({@code USER_NOT_FOUND})
   */
  public User setDisabled(String name, boolean disabled) {
    if (!store.set(name, "disabled", disabled ? 1 : 0, clock.instant())) {
      throw notFound(name);
    }
    signOut(name);
    return get(name);
  }

  /**
   * Deletes a user and signs it out everywhere; a user later created with the same name starts with
   * no sessions.
   *
   * @throws BasinException ({@code USER_NOT_FOUND})
   */
  public void delete(String name) {
    if (!store.delete(name)) {
      throw notFound(name);
    }
    signOut(name);
  }

  /**
   * The enabled user with this name and password, or empty. Takes about as long whether the user is
   * unknown, disabled or the password is wrong, so timing does not tell which. Clears {@code
   * password}.
   */
  public Optional<User> authenticate(String name, char[] password) {
    try {
      if (password == null || password.length == 0 || password.length > MAX_PASSWORD_LENGTH) {
        return Optional.empty();
      }
      Optional<UserStore.StoredUser> stored =
          name == null || !NAME.matcher(name).matches() ? Optional.empty() : store.find(name);
      if (stored.isEmpty()) {
        hashes.burn(password);
        return Optional.empty();
      }
      boolean match = PasswordHashes.verify(password, stored.get().passwordHash());
      User u = stored.get().user();
      return match && !u.disabled() ? Optional.of(u) : Optional.empty();
    } finally {
      PasswordHashes.clear(password);
    }
  }

  private static BasinException notFound(String name) {
    return new BasinException(
        UserErrorCode.USER_NOT_FOUND,
        "user '" + name + "' not found; list users with `basin user list` or GET /api/v1/users");
  }

  @Override
  public void close() {
    store.close();
  }
}
