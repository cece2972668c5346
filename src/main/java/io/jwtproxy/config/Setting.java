package io.jwtproxy.config;

/**
 * Every setting the proxy reads: who reads it, its topic, what kind of value it takes, its default and
 * what it means. This enum is the one place these live: the loaders check values by {@link #kind()},
 * docs/settings.md is generated from it, and a test holds that page and jetty-base's context
 * descriptor to it.
 */
public enum Setting
{
    UPSTREAM_URL(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.url(),
        null,
        "Where every request goes: `http(s)://host[:port][/base-path]`. Embedded jar without it: demo mode, "
        + "proxying to the built-in echo upstream. Required in the WAR."),
    JWT_SECRET(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.secret(),
        null,
        "HS512 key; its UTF-8 bytes are the HMAC key, at least 64 bytes. Embedded jar without it (and without "
        + "`JWT_SECRET_FILE`): a random per-process secret (demo mode). Required in the WAR, or "
        + "`JWT_SECRET_FILE`."),
    JWT_SECRET_FILE(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.file(),
        null,
        "A file holding `JWT_SECRET` (one trailing line break is ignored), to keep the secret out of the "
        + "environment and of configuration files. Set `JWT_SECRET` or this, not both."),
    JWT_USER(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.text("text"),
        "username",
        "The `payload.user` claim of every token whose caller is not authenticated (`AUTH=none` without a "
        + "container principal, or a path of `AUTH_PUBLIC_PATHS`); an authenticated caller is there and in `sub`."),
    JWT_ALG(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.choice("HS512", "ES256", "RS256", "EdDSA"),
        "HS512",
        "Signing algorithm: `HS512` (`JWT_SECRET`, the seed's token), `ES256` (EC P-256), `RS256` (RSA of "
        + "2048 bits or more) or `EdDSA` (Ed25519). The last three publish their public keys at `JWKS_PATH`."),
    JWT_KEY_FILE(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.file(),
        null,
        "ES256/RS256/EdDSA: an unencrypted PEM private key file (PKCS#8 as `openssl genpkey` writes it, PKCS#1 or "
        + "SEC1), one key for ever. "
        + "Embedded jar without it (and without `JWT_KEYS_DIR`): a random per-process key (demo mode)."),
    JWT_KEYS_DIR(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.directory(),
        null,
        "ES256/RS256/EdDSA: a directory of keys on a schedule (`key-<UTC activation time>.pem`, mode 0600), "
        + "shared by restarts and replicas; the proxy creates the first key. A file named `rotate` dropped "
        + "there asks for a new key, signing one `JWKS_MAX_AGE` later. Read-only (a Kubernetes Secret): keys "
        + "managed outside the proxy, which signs with the one whose time has come and writes nothing. Needs "
        + "`JWT_TTL_SECONDS`. Set it or `JWT_KEY_FILE`, not both."),
    JWT_ROTATE_EVERY(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.duration(false),
        null,
        "With `JWT_KEYS_DIR`: how long each key signs (e.g. `7d`, `P7D`); the next key is published a whole "
        + "period before it signs. Longer than `JWKS_MAX_AGE`. Unset: keys change only when asked."),
    JWKS_MAX_AGE(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.duration(false),
        "5m",
        "How long verifiers may cache the JWK Set (`Cache-Control: max-age`); a new key is published at least "
        + "this long before it signs."),
    JWKS_PATH(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.path(),
        "/.well-known/jwks.json",
        "Where the proxy itself serves the JWK Set of its public keys (ES256/RS256/EdDSA; with HS512 the path "
        + "is proxied like any other)."),
    OPENID_CONFIGURATION_PATH(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.path(),
        "/.well-known/openid-configuration",
        "Where the proxy itself serves `{\"issuer\", \"jwks_uri\"}` for verifiers that discover keys "
        + "(ES256/RS256/EdDSA; 404 without `JWT_ISSUER`)."),
    JWT_ISSUER(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.text("text"),
        null,
        "The `iss` claim; unset: none."),
    JWT_AUDIENCE(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.text("text"),
        null,
        "The `aud` claim; unset: none."),
    JWT_TTL_SECONDS(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.integer(1, 315_360_000, "a whole number of seconds"),
        null,
        "Adds `exp` = `iat` + this many seconds; unset: tokens do not expire."),
    JWT_NOT_BEFORE_SKEW_SECONDS(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.integer(0, 3600, "a whole number of seconds"),
        null,
        "Adds `nbf` = `iat` minus this many seconds, for verifiers whose clock is behind; unset: no `nbf`."),
    JWT_BIND_REQUEST(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.bool(),
        "false",
        "`true`: adds `htm` (the method) and `htu` (the URI the upstream receives, without query) as RFC 9449 "
        + "names them, so a token replayed against another endpoint can be refused."),
    JWT_HEADER(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.text("header field name"),
        "x-my-jwt",
        "Name of the request header that carries the token to the upstream."),
    UPSTREAM_CONNECT_TIMEOUT(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.duration(false),
        "5s",
        "How long connecting to the upstream may take; past it the client gets 502."),
    UPSTREAM_IDLE_TIMEOUT(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.duration(false),
        "30s",
        "How long the upstream may stay silent during an exchange; past it the client gets 504 (or a cut-off "
        + "response if it had started). There is no total timeout: a long transfer that keeps moving is never "
        + "cut."),
    WEBSOCKET_IDLE_TIMEOUT(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.duration(false),
        "1h",
        "How long a WebSocket may stay silent both ways before the proxy closes it; the HTTP idle timeouts never cut a "
        + "WebSocket."),
    VIA_PSEUDONYM(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.text("token (RFC 9110)"),
        "jwt-proxy",
        "The name this proxy gives itself in the Via header it appends (RFC 9110 §7.6.3)."),
    TRUST_FORWARDED(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.bool(),
        "false",
        "Whether the client's Forwarded and X-Forwarded-* headers are trusted (`true`: the proxy appends to "
        + "them, for a proxy behind another trusted proxy) or not (`false`: they are replaced)."),
    MAX_RESPONSE_HEADER_BYTES(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.integer(1024, 1 << 20, "a number of bytes"),
        "8192",
        "Largest response head (status line and headers) the proxy relays to the client; an upstream whose "
        + "head would be larger gets the client a 502. In a container, keep the connector's own limit at least "
        + "this (Tomcat `maxHttpResponseHeaderSize`, Jetty `jetty.httpConfig.responseHeaderSize`; both 8192 by "
        + "default)."),
    UPSTREAM_PROTOCOL(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.choice("http/1.1", "h2c", "h2"),
        "http/1.1",
        "How the proxy speaks to the upstream: `http/1.1`, `h2c` (HTTP/2 without TLS, with prior knowledge, as "
        + "gRPC servers in a cluster take it; an `http` UPSTREAM_URL) or `h2` (HTTP/2 over TLS, agreed by ALPN; an "
        + "`https` UPSTREAM_URL). Every request gets its own token whatever the protocol."),
    UPSTREAM_CA_FILE(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.file(),
        null,
        "A PEM bundle of CA certificates; when set, only these are trusted for an `https` upstream (unset: the "
        + "JDK's CAs). The upstream's host name is always verified, and an upstream that fails either gets the "
        + "client a 502, never a fall-back to plain text."),
    UPSTREAM_CLIENT_CERT_FILE(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.file(),
        null,
        "A PEM certificate chain, leaf first, that the proxy presents to an `https` upstream asking for one "
        + "(mutual TLS), with `UPSTREAM_CLIENT_KEY_FILE`; re-read when it changes."),
    UPSTREAM_CLIENT_KEY_FILE(Scope.EVERY_DEPLOYMENT, Topic.UPSTREAM, ValueKind.file(),
        null,
        "The private key of `UPSTREAM_CLIENT_CERT_FILE`, PEM, unencrypted: PKCS#8, PKCS#1 or SEC1."),
    TLS_WATCH_INTERVAL(Scope.EVERY_DEPLOYMENT, Topic.LISTENERS, ValueKind.duration(false),
        "10s",
        "How often the TLS files (the jar's listener's, the upstream client certificate's) are checked for a "
        + "renewal: new handshakes get a renewed certificate within this, without a restart or a dropped "
        + "connection; a renewal that does not check out is logged and the old certificate kept."),
    AUTH(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.list("methods", "none", "bearer", "basic", "mtls", "header", "container"),
        "none",
        "How callers are authenticated, a comma-separated list of methods tried in order: `bearer` (an OpenID "
        + "Connect provider's JWT in `Authorization: Bearer`), `basic` (HTTP Basic against `AUTH_BASIC_FILE`), "
        + "`mtls` (a client certificate), `header` (identity headers from an authenticating proxy in "
        + "`AUTH_TRUSTED_PROXIES`), `container` (the container's principal). A request none of them "
        + "authenticates is not forwarded: 401, or 403, 429, 503 (see \"Authenticating callers\"). `none`: no authentication; the token carries the "
        + "container's principal if there is one, else `JWT_USER`."),
    AUTH_ISSUER(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.url(),
        null,
        "`bearer`: the OpenID Connect issuer, the tokens' `iss` exactly; its keys are found through "
        + "`<issuer>/.well-known/openid-configuration` unless `AUTH_JWKS_URL` is set."),
    AUTH_JWKS_URL(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.url(),
        null,
        "`bearer`: the issuer's JWK Set URL, instead of discovering it."),
    AUTH_AUDIENCE(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.text("text"),
        null,
        "`bearer`: the `aud` a token must carry (the client ID the provider issued it for). Required with `bearer`."),
    AUTH_ALGORITHMS(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.list("JWS algorithms"),
        "RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA",
        "`bearer`: the signature algorithms accepted, asymmetric ones only (never `none`, never an HS* "
        + "algorithm, whose key would be the public one)."),
    AUTH_CLOCK_SKEW(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.duration(false),
        "60s",
        "`bearer`: how far `exp` and `nbf` may be off the proxy's clock."),
    AUTH_CLAIMS(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.list("claim names"),
        "email,groups,name",
        "`bearer`: which of the provider token's claims `email`, `groups` and `name` the proxy's token copies; "
        + "`none` for none."),
    AUTH_BASIC_FILE(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.file(),
        null,
        "`basic`: an htpasswd file of bcrypt lines only (`htpasswd -B`; any other hash stops start-up, naming its "
        + "line), re-read within a second when it changes. Required with `basic`."),
    AUTH_BASIC_MAX_FAILURES(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.integer(1, 1_000_000, "a number of attempts"),
        "10",
        "`basic`: how many passwords one client address may try for one user name in a minute, counted before "
        + "each check (four times as many across user names, and as many at once); past it the Basic credentials "
        + "get 429 with `Retry-After` until the minute is over, without being checked. The client address is the "
        + "last `X-Forwarded-For` address from a `TRUST_FORWARDED` balancer or a `FORWARD_AUTH_CLIENTS` gateway."),
    AUTH_TRUSTED_PROXIES(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.list("IP addresses or address/prefix blocks"),
        null,
        "`header`: the addresses (CIDR list, e.g. `10.0.0.0/8,127.0.0.1/32`) of the authenticating proxies "
        + "whose identity headers are believed, matched against the TCP peer. From any other peer those "
        + "headers are removed. Required with `header`."),
    AUTH_USER_HEADER(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.text("header field name"),
        "X-Forwarded-User",
        "`header`: the header naming the authenticated user."),
    AUTH_EMAIL_HEADER(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.text("header field name"),
        "X-Forwarded-Email",
        "`header`: the header giving the user's email address."),
    AUTH_GROUPS_HEADER(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.text("header field name"),
        "X-Forwarded-Groups",
        "`header`: the header giving the user's groups, comma-separated."),
    AUTH_PUBLIC_PATHS(Scope.EVERY_DEPLOYMENT, Topic.AUTHENTICATION, ValueKind.list("paths"),
        null,
        "Path prefixes (comma-separated, e.g. `/health,/public/`) forwarded without authentication; their token "
        + "has no `sub`. Matched on the path in normal form, the one forwarded (`/public/../admin` is `/admin`); "
        + "`/health` covers `/health` and `/health/...`, not `/healthz`."),
    JWT_MAX_BYTES(Scope.EVERY_DEPLOYMENT, Topic.TOKENS, ValueKind.integer(512, 1 << 20, "a number of bytes"),
        "8192",
        "Largest token the proxy sends. A token that would be larger goes without its `groups` claim (the "
        + "upstream sees no groups, and the log says how many were left out); one still larger is not sent: the "
        + "client gets 500 and nothing is forwarded."),
    ADMIN_PATH(Scope.EVERY_DEPLOYMENT, Topic.OPERATIONS, ValueKind.path(),
        null,
        "Where `/status`, `/metrics`, `/healthz` and `/readyz` are served on the public listener, a path prefix "
        + "(e.g. `/_jwt-proxy`); unset: only `/status`, at the root as ever, and the other three paths go to the "
        + "upstream. The jar with `ADMIN_PORT` serves all four there instead, and the public listener forwards "
        + "those paths like any other."),
    METRICS(Scope.EVERY_DEPLOYMENT, Topic.OPERATIONS, ValueKind.choice("on", "off"),
        "on",
        "`on`: Prometheus metrics at `/metrics`; `off`: none are kept (the endpoint answers 404)."),
    ACCESS_LOG_FORMAT(Scope.EVERY_DEPLOYMENT, Topic.OPERATIONS, ValueKind.choice("text", "json"),
        "text",
        "The access log's lines: `text`, or `json` (one object per line)."),
    TRACE_QUERY(Scope.EVERY_DEPLOYMENT, Topic.OBSERVABILITY, ValueKind.bool(),
        "false",
        "Whether spans record the request's query string (`url.query`, and the query in the upstream span's `url.full`). "
        + "Off by default: a query may carry a secret. Tracing itself is set with the standard `OTEL_*` names."),
    HTTP_HOST(Scope.JAR, Topic.LISTENERS, ValueKind.text("host name or IP address"),
        "0.0.0.0",
        "Address the embedded server listens on."),
    HTTP_PORT(Scope.JAR, Topic.LISTENERS, ValueKind.port(true),
        "8080",
        "Port of the plain listener (HTTP/1.1, and HTTP/2 with prior knowledge, h2c); 0 picks a free one; `off` "
        + "for none, with `HTTPS_PORT` set."),
    HTTPS_PORT(Scope.JAR, Topic.LISTENERS, ValueKind.port(false),
        null,
        "Port of the TLS listener (TLS 1.2 and 1.3; HTTP/2 by ALPN, and HTTP/1.1), on `HTTP_HOST`; 0 picks a free "
        + "one; unset: no TLS listener. Needs `TLS_CERT_FILE` and `TLS_KEY_FILE`."),
    TLS_CERT_FILE(Scope.JAR, Topic.LISTENERS, ValueKind.file(),
        null,
        "The TLS listener's certificate chain, PEM, leaf first (certbot's `fullchain.pem`, cert-manager's "
        + "`tls.crt`). Start-up refuses one that has expired, is not for a TLS server or is not the key's."),
    TLS_KEY_FILE(Scope.JAR, Topic.LISTENERS, ValueKind.file(),
        null,
        "The TLS listener's private key, PEM, unencrypted: PKCS#8, PKCS#1 or SEC1 (certbot's `privkey.pem`, "
        + "cert-manager's `tls.key`)."),
    TLS_CLIENT_CA_FILE(Scope.JAR, Topic.LISTENERS, ValueKind.file(),
        null,
        "A PEM bundle of the CAs whose client certificates the TLS listener asks for and verifies, for "
        + "`AUTH=mtls`; a client may still connect without one. Unset: no client certificate is asked for."),
    ADMIN_PORT(Scope.JAR, Topic.OPERATIONS, ValueKind.port(false),
        null,
        "Port of the admin listener (plain HTTP/1.1) serving `/status`, `/metrics`, `/healthz` and `/readyz` for "
        + "operators; it stays up while the proxy drains. Unset: no admin listener, and those paths are served "
        + "on the public listener under `ADMIN_PATH`."),
    ADMIN_HOST(Scope.JAR, Topic.OPERATIONS, ValueKind.text("host name or IP address"),
        "127.0.0.1",
        "Address the admin listener listens on."),
    FORWARD_AUTH(Scope.JAR, Topic.FORWARD_AUTH, ValueKind.bool(),
        "false",
        "`true`: the admin listener (`ADMIN_PORT`, then required) answers `/forward-auth`, the decision endpoint "
        + "for nginx `auth_request`, Caddy `forward_auth`, Traefik `forwardAuth` and Envoy `ext_authz`: 200 with a "
        + "token for the original request, or 401/403 with the challenges. Never on the public listener."),
    FORWARD_AUTH_CLIENTS(Scope.JAR, Topic.FORWARD_AUTH, ValueKind.list("IP addresses or address/prefix blocks"),
        "127.0.0.1/32,::1/128",
        "The addresses (CIDR list) of the gateways that may call `/forward-auth`; any other gets 403. Their "
        + "`X-Forwarded-For` (its last address) is the client whose failed Basic attempts are counted."),
    FORWARD_AUTH_GATEWAY(Scope.JAR, Topic.FORWARD_AUTH, ValueKind.choice("any", "nginx", "caddy", "traefik", "envoy"),
        "any",
        "Which gateway calls `/forward-auth`, and so where the original method and URI are read: `nginx` "
        + "(`X-Original-Method`, `X-Original-URI`, as docs/forward-auth.md's snippet sets them), `caddy` or `traefik` "
        + "(`X-Forwarded-Method`, `X-Forwarded-Uri`), `envoy` (the path after `/forward-auth`, the request's method), "
        + "or `any` (whichever is there). Another spelling that disagrees, which only a client could have written, "
        + "gets 400, as does an original URI that is not a plain path."),
    CLIENT_IDLE_TIMEOUT(Scope.JAR, Topic.LISTENERS, ValueKind.duration(false),
        "30s",
        "How long a client connection may stay silent, in the middle of its headers or body or between "
        + "requests, before it is closed (a container's connector has its own)."),
    MAX_REQUEST_HEADER_BYTES(Scope.JAR, Topic.LISTENERS, ValueKind.integer(1024, 1 << 20, "a number of bytes"),
        "8192",
        "Largest request head (request line and headers) the embedded server accepts; past it a long URI gets "
        + "414 and long headers 431 (a container's connector has its own)."),
    LISTEN_BACKLOG(Scope.JAR, Topic.LISTENERS, ValueKind.integer(1, 65535, "a queue length"),
        "1024",
        "How many connections the embedded server's listen queue holds before the proxy accepts them; past it "
        + "new connections wait (the kernel caps it at `net.core.somaxconn`; Tomcat's `acceptCount` and "
        + "jetty-base's `jetty.http.acceptQueueSize` do the same in containers)."),
    SHUTDOWN_DELAY(Scope.JAR, Topic.OPERATIONS, ValueKind.duration(true),
        "5s",
        "On SIGTERM or SIGINT, how long the proxy goes on serving before it closes its listeners: `/readyz` "
        + "answers 503 at once and every HTTP/1.1 response carries `Connection: close`, so that a balancer or "
        + "a Kubernetes endpoint controller takes the replica out before it stops accepting. A second signal "
        + "ends it early; `0s` for none."),
    SHUTDOWN_DRAIN(Scope.JAR, Topic.OPERATIONS, ValueKind.duration(false),
        "30s",
        "After `SHUTDOWN_DELAY`, how long in-flight requests, long streaming ones and WebSockets included, may "
        + "take to finish; new connections are refused meanwhile (Tomcat's `unloadDelay` and jetty-base's "
        + "`jetty.server.stopTimeout` do the same in containers)."),
    ENGINE(Scope.JAR, Topic.LISTENERS, ValueKind.choice("core", "servlet"),
        "core",
        "How the embedded server runs the proxy: `core` on Jetty's core handlers and HTTP client, non-blocking "
        + "(1.2-1.6 times the requests per second of `servlet` at 55-76 % of its CPU per request, see bench/results-2026-12.md); "
        + "`servlet` in the WAR's `JwtProxyServlet` (Jetty's proxy servlet), the code path of Tomcat and jetty-base. "
        + "Both behave the same, but `AUTH=container` needs `servlet`.");

    /** Who reads a setting. */
    public enum Scope
    {
        /** The proxy itself: the jar, and the WAR in any container. */
        EVERY_DEPLOYMENT,
        /** The executable jar's embedded server; a WAR leaves these to its container. */
        JAR
    }

    /** What a setting is about: the page of docs/ that explains it. */
    public enum Topic
    {
        UPSTREAM("The upstream", "behaviour.md"),
        TOKENS("Tokens and keys", "tokens.md"),
        AUTHENTICATION("Authentication", "authentication.md"),
        FORWARD_AUTH("Forward-auth", "forward-auth.md"),
        LISTENERS("The jar's listeners, TLS and engine", "protocols.md"),
        OPERATIONS("Operations", "operations.md"),
        OBSERVABILITY("Traces", "observability.md");

        private final String title;
        private final String page;

        Topic(String title, String page)
        {
            this.title = title;
            this.page = page;
        }

        public String title()
        {
            return title;
        }

        /** @return the page of docs/ that explains the topic */
        public String page()
        {
            return page;
        }
    }

    private final Scope scope;
    private final Topic topic;
    private final ValueKind kind;
    private final String defaultValue;
    private final String description;

    Setting(Scope scope, Topic topic, ValueKind kind, String defaultValue, String description)
    {
        this.scope = scope;
        this.topic = topic;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public Topic topic()
    {
        return topic;
    }

    /** @return what the value is and may be: the loaders check by it */
    public ValueKind kind()
    {
        return kind;
    }

    public Scope scope()
    {
        return scope;
    }

    /** @return whether the value is a secret: never written in a descriptor, a start.d file or a log */
    public boolean secret()
    {
        return this == JWT_SECRET;
    }

    /** @return the built-in default, or null when the setting has none */
    public String defaultValue()
    {
        return defaultValue;
    }

    /** @return what the setting means, as docs/settings.md says it */
    public String description()
    {
        return description;
    }
}
