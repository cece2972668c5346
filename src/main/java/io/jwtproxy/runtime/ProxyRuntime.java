package io.jwtproxy.runtime;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.auth.Authentication;
import io.jwtproxy.auth.Identity;
import io.jwtproxy.config.AdminConfig;
import io.jwtproxy.config.AuthConfig;
import io.jwtproxy.config.ConfigException;
import io.jwtproxy.config.ProxyConfig;
import io.jwtproxy.config.Setting;
import io.jwtproxy.config.TokenConfig;
import io.jwtproxy.config.TraceConfig;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.ExchangeEvents;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.observe.AccessLog;
import io.jwtproxy.observe.ProxyMetrics;
import io.jwtproxy.observe.ProxyStats;
import io.jwtproxy.token.JwtMinter;
import io.jwtproxy.token.KeyRing;
import io.jwtproxy.trace.Tracing;

/**
 * Everything the proxy's servlets share, built once per deployment from complete settings: the
 * settings, the key ring and the minter, the publisher of the public keys, and the counters of the
 * status page. In a servlet context, {@code BootListener} hands it to both servlets as one context attribute.
 */
public final class ProxyRuntime implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ProxyRuntime.class);
    /**
     * How often a keys directory is re-read, at most: files dropped there take effect within this. A
     * replica publishes a key another one wrote only once it has re-read the directory, so the period
     * is also kept to a quarter of the time between a key's writing and its first signature (JWKS_MAX_AGE).
     */
    private static final Duration KEYS_REFRESH = Duration.ofSeconds(10);

    private final ProxyConfig proxy;
    private final TokenConfig tokens;
    private final KeyRing keys;
    private final JwtMinter minter;
    private final KeyPublisher publisher;
    private final ProxyStats stats;
    private final Authentication authentication;
    private final int maxTokenBytes;
    private final AdminConfig admin;
    private final ProxyMetrics metrics;
    private final ExchangeEvents events;
    private final Tracing tracing;
    private volatile boolean draining;

    /**
     * @param keys the keys an asymmetric algorithm signs with; null for HS512
     * @param minter mints every token; another than the production one only in tests
     */
    public ProxyRuntime(ProxyConfig proxy, TokenConfig tokens, AuthConfig auth, AdminConfig admin, KeyRing keys, JwtMinter minter, Clock clock)
    {
        this(proxy, tokens, auth, admin, Tracing.OFF, keys, minter, clock);
    }

    /** @param tracing the traces, which the runtime closes with it */
    public ProxyRuntime(ProxyConfig proxy, TokenConfig tokens, AuthConfig auth, AdminConfig admin, Tracing tracing, KeyRing keys, JwtMinter minter,
                        Clock clock)
    {
        this.proxy = proxy;
        this.tracing = tracing;
        this.tokens = tokens;
        this.admin = admin;
        this.keys = keys;
        this.minter = minter;
        this.publisher = keys == null ? null : new KeyPublisher(keys, tokens);
        this.stats = new ProxyStats(clock);
        this.authentication = Authentication.of(auth);
        this.maxTokenBytes = auth.maxTokenBytes();
        this.metrics = admin.metrics() ? new ProxyMetrics(stats, keys, tokens.algorithm().joseName(), authentication, tracing, clock) : null;
        List<ExchangeEvents> subscribers = new ArrayList<>(List.of(new AccessLog(admin.accessLogFormat()), stats));
        if (metrics != null)
            subscribers.add(metrics);
        if (tracing.events() != null)
            subscribers.add(tracing.events());
        this.events = ExchangeEvents.all(subscribers);
    }

    /**
     * The production runtime: system clock, random token ids, and with JWT_KEYS_DIR a key ring
     * that re-reads its directory until {@link #close()}.
     *
     * @throws ConfigException if the keys directory cannot be used
     */
    public static ProxyRuntime start(ProxyConfig proxy, TokenConfig tokens, AuthConfig auth, AdminConfig admin)
    {
        return start(proxy, tokens, auth, admin, TraceConfig.off());
    }

    /**
     * The same, with traces as {@code trace} asks.
     *
     * @throws ConfigException if the keys directory cannot be used, or the OpenTelemetry SDK refuses a setting
     */
    public static ProxyRuntime start(ProxyConfig proxy, TokenConfig tokens, AuthConfig auth, AdminConfig admin, TraceConfig trace)
    {
        Tracing tracing = Tracing.start(trace);
        try
        {
            KeyRing keys = keyRing(tokens);
            return new ProxyRuntime(proxy, tokens, auth, admin, tracing, keys, JwtMinter.production(tokens.claims(), tokens.secret(), keys),
                Clock.systemUTC());
        }
        catch (RuntimeException x)
        {
            tracing.close();
            throw x;
        }
    }

    private static KeyRing keyRing(TokenConfig tokens)
    {
        if (!tokens.algorithm().asymmetric())
            return null;
        if (tokens.fixedKey() != null)
            return KeyRing.fixed(tokens.fixedKey(), Clock.systemUTC());
        try
        {
            // A read-only directory (a Kubernetes Secret, say) holds keys someone else writes on a schedule.
            KeyRing keys = java.nio.file.Files.isWritable(tokens.keysDirectory())
                ? KeyRing.directory(tokens.algorithm(), tokens.keysDirectory(), tokens.rotateEvery(), tokens.jwksMaxAge(), tokens.keepAfterRetired(),
                    Clock.systemUTC())
                : KeyRing.readOnly(tokens.algorithm(), tokens.keysDirectory(), tokens.keepAfterRetired(), Clock.systemUTC());
            Duration quarter = tokens.jwksMaxAge().dividedBy(4);
            keys.start(quarter.compareTo(KEYS_REFRESH) < 0 ? quarter : KEYS_REFRESH);
            return keys;
        }
        catch (IOException | RuntimeException x)
        {
            throw new ConfigException(List.of(Setting.JWT_KEYS_DIR + ": cannot use \"" + tokens.keysDirectory() + "\" (" + x + ")"));
        }
    }

    public ProxyConfig proxy()
    {
        return proxy;
    }

    public TokenConfig tokens()
    {
        return tokens;
    }

    /** @return the keys the tokens are signed with, or null for HS512 */
    public KeyRing keys()
    {
        return keys;
    }

    /**
     * Mints the token of one forwarded request (or a forward-auth decision), an event of its exchange; bound to its method and target
     * (without the query) with JWT_BIND_REQUEST.
     *
     * @param target the URI the request goes to upstream
     */
    public JwtMinter.Minted mint(Identity caller, String method, String target, Exchange exchange)
    {
        long start = System.nanoTime();
        String boundTarget = null;
        if (tokens.bindRequest())
        {
            int query = target.indexOf('?');
            boundTarget = query < 0 ? target : target.substring(0, query);
        }
        String subject = caller == null ? null : caller.subject();
        JwtMinter.Minted minted = caller == null ? minter.minted(null, null, null, List.of(), method, boundTarget)
            : minter.minted(subject, caller.email(), caller.name(), caller.groups(), method, boundTarget);
        if (minted.token().length() > maxTokenBytes && caller != null && !caller.groups().isEmpty())
        {
            // Too many groups would break the upstream's header limit (Pomerium's users met it with 200+): none go.
            LOG.warn("token for {} would take {} bytes, more than {} ({}): sent without its {} groups", subject, minted.token().length(),
                Setting.JWT_MAX_BYTES, maxTokenBytes, caller.groups().size());
            minted = minter.minted(subject, caller.email(), caller.name(), List.of(), method, boundTarget);
        }
        if (minted.token().length() > maxTokenBytes)
            throw new IllegalStateException("the token would take " + minted.token().length() + " bytes, more than " + Setting.JWT_MAX_BYTES
                + " (" + maxTokenBytes + ")");
        exchange.minted(minted.jti(), keys == null ? null : keys.active().kid(), System.nanoTime() - start);
        return minted;
    }

    /**
     * Begins the exchange of a request on the public listener, traced as a child of the client's trace context.
     *
     * @param path what the exchange is about: the path in normal form decided on, or the raw one refused
     */
    public Exchange begin(ClientRequest clientRequest, String path)
    {
        Exchange exchange = Exchange.begin(clientRequest.getMethod(), path, clientRequest.getRemoteAddr(), events);
        tracing.begin(exchange, clientRequest, path, null);
        return exchange;
    }

    /**
     * Begins the exchange of a {@code /forward-auth} decision, traced as a child of the gateway's trace context.
     *
     * @param method the method of the request the gateway asks about (or of the gateway's own, when that is not known)
     * @param path the path of the request the gateway asks about (or of the gateway's own)
     * @param route the endpoint the gateway asked, which names its span
     * @param gatewayPath the path the gateway asked
     */
    public Exchange beginDecision(ClientRequest gatewayRequest, String method, String path, String route, String gatewayPath)
    {
        Exchange exchange = Exchange.beginDecision(method, path, gatewayRequest.getRemoteAddr(), events);
        tracing.begin(exchange, gatewayRequest, gatewayPath, route);
        return exchange;
    }

    /** @return the traces: {@link Tracing#OFF} unless an OTLP endpoint is set */
    public Tracing tracing()
    {
        return tracing;
    }

    /** @return the stream every exchange's events go to: the access log, the status page's counters and chart, the metrics, the traces */
    public ExchangeEvents events()
    {
        return events;
    }

    public AdminConfig admin()
    {
        return admin;
    }

    /** @return the metrics, or null with METRICS=off */
    public ProxyMetrics metrics()
    {
        return metrics;
    }

    /** From now on the proxy is draining: not ready for traffic, though it still serves what it has. */
    public void startDrain()
    {
        draining = true;
    }

    /** @return whether {@link #startDrain()} was called */
    public boolean draining()
    {
        return draining;
    }

    /** @return whether the proxy should get traffic: not draining, and a key active to sign with */
    public boolean ready()
    {
        return !draining && (keys == null || keys.active() != null);
    }

    /** @return who each request's caller is, and the refusal of those who are not */
    public Authentication authentication()
    {
        return authentication;
    }

    /** @return the publisher of the public keys, or null for HS512, whose secret is never published */
    public KeyPublisher publisher()
    {
        return publisher;
    }

    public ProxyStats stats()
    {
        return stats;
    }

    /** @return the start-up line: where requests go, with which token, signed with what (never the secret itself) */
    public String wiring(String contextPath)
    {
        String signing = keys == null ? "secret of " + tokens.secret().length + " bytes " + tokens.keySource()
            : "key " + keys.active().kid() + " " + tokens.keySource() + "; public keys at " + contextPath + tokens.jwksPath();
        return "proxying " + contextPath + "/* -> " + proxy.upstream() + " with a fresh " + tokens.algorithm() + " token in "
            + proxy.tokenHeader() + " (user \"" + tokens.user() + "\", " + signing + ")" + (tracing.enabled() ? "; traces: " + tracing.description() : "");
    }

    /** Stops re-reading the keys directory, and exports the spans still queued. */
    @Override
    public void close()
    {
        if (keys != null)
            keys.close();
        tracing.close();
    }
}
