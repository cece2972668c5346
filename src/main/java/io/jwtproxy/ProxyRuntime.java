package io.jwtproxy;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.auth.Authentication;
import io.jwtproxy.auth.Identity;
import io.jwtproxy.config.AuthConfig;
import io.jwtproxy.config.ConfigException;
import io.jwtproxy.config.ProxyConfig;
import io.jwtproxy.config.Setting;
import io.jwtproxy.config.TokenConfig;
import io.jwtproxy.token.JwtMinter;
import io.jwtproxy.token.KeyRing;

/**
 * Everything the proxy's servlets share, built once per deployment from complete settings: the
 * settings, the key ring and the minter, the publisher of the public keys, and the counters of the
 * status page. {@link BootListener} hands it to both servlets as one context attribute.
 */
public final class ProxyRuntime implements AutoCloseable
{
    static final String ATTRIBUTE = ProxyRuntime.class.getName();
    private static final Logger LOG = LoggerFactory.getLogger(ProxyRuntime.class);
    /** How often a keys directory is re-read: files dropped there take effect within this. */
    private static final Duration KEYS_REFRESH = Duration.ofSeconds(10);

    private final ProxyConfig proxy;
    private final TokenConfig tokens;
    private final KeyRing keys;
    private final JwtMinter minter;
    private final KeyPublisher publisher;
    private final ProxyStats stats;
    private final Authentication authentication;
    private final int maxTokenBytes;

    /**
     * @param keys the keys an asymmetric algorithm signs with; null for HS512
     * @param minter mints every token; another than the production one only in tests
     */
    public ProxyRuntime(ProxyConfig proxy, TokenConfig tokens, AuthConfig auth, KeyRing keys, JwtMinter minter, Clock clock)
    {
        this.proxy = proxy;
        this.tokens = tokens;
        this.keys = keys;
        this.minter = minter;
        this.publisher = keys == null ? null : new KeyPublisher(keys, tokens);
        this.stats = new ProxyStats(clock);
        this.authentication = Authentication.of(auth);
        this.maxTokenBytes = auth.maxTokenBytes();
    }

    /**
     * The production runtime: system clock, random token ids, and with JWT_KEYS_DIR a key ring
     * that re-reads its directory until {@link #close()}.
     *
     * @throws ConfigException if the keys directory cannot be used
     */
    public static ProxyRuntime start(ProxyConfig proxy, TokenConfig tokens, AuthConfig auth)
    {
        KeyRing keys = keyRing(tokens);
        return new ProxyRuntime(proxy, tokens, auth, keys, JwtMinter.production(tokens.claims(), tokens.secret(), keys), Clock.systemUTC());
    }

    private static KeyRing keyRing(TokenConfig tokens)
    {
        if (!tokens.algorithm().asymmetric())
            return null;
        if (tokens.fixedKey() != null)
            return KeyRing.fixed(tokens.fixedKey(), Clock.systemUTC());
        try
        {
            KeyRing keys = KeyRing.directory(tokens.algorithm(), tokens.keysDirectory(), tokens.rotateEvery(), tokens.jwksMaxAge(),
                tokens.keepAfterRetired(), Clock.systemUTC());
            keys.start(KEYS_REFRESH);
            return keys;
        }
        catch (IOException | RuntimeException x)
        {
            throw new ConfigException(List.of(Setting.JWT_KEYS_DIR + ": cannot use \"" + tokens.keysDirectory() + "\" (" + x + ")"));
        }
    }

    /** @return the runtime {@link BootListener} gave this context */
    static ProxyRuntime of(ServletContext context) throws ServletException
    {
        if (context.getAttribute(ATTRIBUTE) instanceof ProxyRuntime runtime)
            return runtime;
        throw new ServletException("jwt-proxy is not configured: " + BootListener.class.getName() + " must be registered as a listener of this context");
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
     * Mints the token of one forwarded request, counted in /status; bound to its method and target
     * (without the query) with JWT_BIND_REQUEST.
     *
     * @param target the URI the request goes to upstream
     */
    public String mint(Identity caller, String method, String target)
    {
        String boundTarget = null;
        if (tokens.bindRequest())
        {
            int query = target.indexOf('?');
            boundTarget = query < 0 ? target : target.substring(0, query);
        }
        String token = caller == null ? minter.mint(null, method, boundTarget)
            : minter.mint(caller.subject(), caller.email(), caller.name(), caller.groups(), method, boundTarget);
        if (token.length() > maxTokenBytes && caller != null && !caller.groups().isEmpty())
        {
            // Too many groups would break the upstream's header limit (Pomerium's users met it with 200+): none go.
            LOG.warn("token for {} would take {} bytes, more than {} ({}): sent without its {} groups", caller.subject(), token.length(),
                Setting.JWT_MAX_BYTES, maxTokenBytes, caller.groups().size());
            token = minter.mint(caller.subject(), caller.email(), caller.name(), List.of(), method, boundTarget);
        }
        if (token.length() > maxTokenBytes)
            throw new IllegalStateException("the token would take " + token.length() + " bytes, more than " + Setting.JWT_MAX_BYTES + " ("
                + maxTokenBytes + ")");
        stats.tokenMinted();
        return token;
    }

    /** @return who each request's caller is, and the refusal of those who are not */
    public Authentication authentication()
    {
        return authentication;
    }

    /** @return the publisher of the public keys, or null for HS512, whose secret is never published */
    KeyPublisher publisher()
    {
        return publisher;
    }

    public ProxyStats stats()
    {
        return stats;
    }

    /** @return the start-up line: where requests go, with which token, signed with what (never the secret itself) */
    String wiring(String contextPath)
    {
        String signing = keys == null ? "secret of " + tokens.secret().length + " bytes " + tokens.keySource()
            : "key " + keys.active().kid() + " " + tokens.keySource() + "; public keys at " + contextPath + tokens.jwksPath();
        return "proxying " + contextPath + "/* -> " + proxy.upstream() + " with a fresh " + tokens.algorithm() + " token in "
            + proxy.tokenHeader() + " (user \"" + tokens.user() + "\", " + signing + ")";
    }

    /** Stops re-reading the keys directory. */
    @Override
    public void close()
    {
        if (keys != null)
            keys.close();
    }
}
