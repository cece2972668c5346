package io.jwtproxy;

/**
 * Every setting the proxy reads, with its default and what it means. This enum is the one place
 * defaults live; the README's settings table is checked against it by a test.
 */
public enum Setting
{
    HTTP_HOST("0.0.0.0", "Address the embedded server listens on (embedded jar only)."),
    HTTP_PORT("8080", "Port the embedded server listens on; 0 picks a free one (embedded jar only)."),
    UPSTREAM_URL(null, "Where every request goes: http(s)://host[:port][/base-path]. "
        + "Embedded jar without it: demo mode, proxying to the built-in echo upstream. Required in the WAR."),
    JWT_SECRET(null, "HS512 key; its UTF-8 bytes are the HMAC key, at least 64 bytes. "
        + "Embedded jar without it (and without JWT_SECRET_FILE): a random per-process secret (demo mode). "
        + "Required in the WAR, or JWT_SECRET_FILE."),
    JWT_SECRET_FILE(null, "A file holding JWT_SECRET (one trailing line break is ignored), to keep the secret "
        + "out of the environment and of configuration files. Set JWT_SECRET or this, not both."),
    JWT_USER("username", "The `payload.user` claim of every token whose request the container did not authenticate "
        + "(an authenticated request carries its principal there and in `sub`)."),
    JWT_ALG("HS512", "Signing algorithm: HS512 (JWT_SECRET, the seed's token), ES256 (EC P-256), RS256 (RSA of 2048 bits or more) "
        + "or EdDSA (Ed25519). The last three publish their public keys at JWKS_PATH."),
    JWT_KEY_FILE(null, "ES256/RS256/EdDSA: an unencrypted PKCS#8 PEM private key file (`openssl genpkey`), one key for ever. "
        + "Embedded jar without it (and without JWT_KEYS_DIR): a random per-process key (demo mode)."),
    JWT_KEYS_DIR(null, "ES256/RS256/EdDSA: a directory of keys on a schedule (`key-<UTC activation time>.pem`, mode 0600), "
        + "shared by restarts and replicas; the proxy creates the first key. A file named `rotate` dropped there asks "
        + "for a new key, signing one JWKS_MAX_AGE later. Needs JWT_TTL_SECONDS. Set it or JWT_KEY_FILE, not both."),
    JWT_ROTATE_EVERY(null, "With JWT_KEYS_DIR: how long each key signs (e.g. 7d, P7D); the next key is published a whole "
        + "period before it signs. Longer than JWKS_MAX_AGE. Unset: keys change only when asked."),
    JWKS_MAX_AGE("5m", "How long verifiers may cache the JWK Set (Cache-Control max-age); a new key is published at least "
        + "this long before it signs."),
    JWKS_PATH("/.well-known/jwks.json", "Where the proxy itself serves the JWK Set of its public keys (ES256/RS256/EdDSA; "
        + "with HS512 the path is proxied like any other)."),
    OPENID_CONFIGURATION_PATH("/.well-known/openid-configuration", "Where the proxy itself serves "
        + "`{\"issuer\", \"jwks_uri\"}` for verifiers that discover keys (ES256/RS256/EdDSA; 404 without JWT_ISSUER)."),
    JWT_ISSUER(null, "The `iss` claim; unset: none."),
    JWT_AUDIENCE(null, "The `aud` claim; unset: none."),
    JWT_TTL_SECONDS(null, "Adds `exp` = `iat` + this many seconds; unset: tokens do not expire."),
    JWT_NOT_BEFORE_SKEW_SECONDS(null, "Adds `nbf` = `iat` minus this many seconds, for verifiers whose clock is behind; unset: no `nbf`."),
    JWT_BIND_REQUEST("false", "true: adds `htm` (the method) and `htu` (the URI the upstream receives, without query) "
        + "as RFC 9449 names them, so a token replayed against another endpoint can be refused."),
    JWT_HEADER("x-my-jwt", "Name of the request header that carries the token to the upstream."),
    UPSTREAM_CONNECT_TIMEOUT("5s", "How long connecting to the upstream may take; past it the client gets 502."),
    UPSTREAM_IDLE_TIMEOUT("30s", "How long the upstream may stay silent during an exchange; past it the client "
        + "gets 504 (or a cut-off response if it had started). There is no total timeout: a long transfer that keeps moving is never cut."),
    VIA_PSEUDONYM("jwt-proxy", "The name this proxy gives itself in the Via header it appends (RFC 9110 §7.6.3)."),
    TRUST_FORWARDED("false", "Whether the client's Forwarded and X-Forwarded-* headers are trusted (true: the proxy "
        + "appends to them, for a proxy behind another trusted proxy) or not (false: they are replaced)."),
    MAX_REQUEST_HEADER_BYTES("8192", "Largest request head (request line and headers) the embedded server accepts; "
        + "past it a long URI gets 414 and long headers 431 (embedded jar only; a container's connector has its own)."),
    MAX_RESPONSE_HEADER_BYTES("8192", "Largest response head (status line and headers) the proxy relays to the client; "
        + "an upstream whose head would be larger gets the client a 502. In a container, keep the connector's own limit at least this "
        + "(Tomcat maxHttpResponseHeaderSize, Jetty jetty.httpConfig.responseHeaderSize; both 8192 by default)."),
    LISTEN_BACKLOG("1024", "How many connections the embedded server's listen queue holds before the proxy accepts them; "
        + "past it new connections wait (the kernel caps it at net.core.somaxconn; embedded jar only; Tomcat's acceptCount and "
        + "jetty-base's jetty.http.acceptQueueSize do the same in containers)."),
    SHUTDOWN_DRAIN("30s", "On SIGTERM or SIGINT (embedded jar), how long in-flight requests, long "
        + "streaming ones included, may take to finish; new connections are refused meanwhile."),
    CLIENT_IDLE_TIMEOUT("30s", "How long a client connection may stay silent, in the middle of its headers or "
        + "body or between requests, before it is closed (embedded jar only; a container's connector has its own).");

    private final String defaultValue;
    private final String description;

    Setting(String defaultValue, String description)
    {
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** @return the built-in default, or null when the setting has none */
    public String defaultValue()
    {
        return defaultValue;
    }

    public String description()
    {
        return description;
    }
}
