package io.jwtproxy;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the proxy's context: validates the configuration (failing the deployment when it is
 * wrong), records the boot instant and publishes both to the servlets as context attributes.
 * The embedded jar hands it a configuration it already validated; a WAR builds it from system
 * properties, the environment and context parameters.
 */
public class BootListener implements ServletContextListener
{
    private static final Logger LOG = LoggerFactory.getLogger(BootListener.class);
    private static final String CONFIG_ATTRIBUTE = ProxyConfig.class.getName();
    private static final String STATS_ATTRIBUTE = ProxyStats.class.getName();
    private static final String KEYS_ATTRIBUTE = KeyRing.class.getName();
    /** How often a keys directory is re-read: files dropped there take effect within this. */
    private static final Duration KEYS_REFRESH = Duration.ofSeconds(10);

    private final ProxyConfig preset;

    /** Used by web.xml: reads the configuration when the context starts. */
    public BootListener()
    {
        this(null);
    }

    public BootListener(ProxyConfig config)
    {
        this.preset = config;
    }

    @Override
    public void contextInitialized(ServletContextEvent event)
    {
        ServletContext context = event.getServletContext();
        ProxyConfig config;
        try
        {
            config = preset != null ? preset : ProxyConfig.load(ConfigSource.webapp(context), ProxyConfig.Mode.WEBAPP);
        }
        catch (ConfigException x)
        {
            LOG.error("jwt-proxy not started: {}", x.getMessage());
            // Fails the deployment: the container must not serve requests with an unconfigured proxy.
            throw x;
        }
        KeyRing keys = keyRing(config.tokens());
        context.setAttribute(CONFIG_ATTRIBUTE, config);
        context.setAttribute(STATS_ATTRIBUTE, new ProxyStats(Clock.systemUTC()));
        if (keys != null)
            context.setAttribute(KEYS_ATTRIBUTE, keys);
        TokenConfig tokens = config.tokens();
        String signing = keys == null
            ? "secret " + config.secret().length + " bytes" + (config.demoSecret() ? ", random per process" : "")
            : "key " + keys.active().kid() + (tokens.demoKey() ? ", random per process" : "")
                + (tokens.keysDirectory() == null ? "" : ", from " + tokens.keysDirectory())
                + "; public keys at " + context.getContextPath() + tokens.jwksPath();
        LOG.info("proxying {}/* -> {} with a fresh {} token in {} (user \"{}\", {})", context.getContextPath(), config.upstream(),
            tokens.algorithm(), config.jwtHeader(), config.jwtUser(), signing);
    }

    /** @return the keys the tokens are signed with, or null for HS512 */
    private static KeyRing keyRing(TokenConfig tokens)
    {
        if (!tokens.algorithm().asymmetric())
            return null;
        if (tokens.fixedKey() != null)
            return KeyRing.fixed(tokens.fixedKey(), Clock.systemUTC());
        if (tokens.demoKey())
            return KeyRing.fixed(SigningKey.of(tokens.algorithm(), tokens.algorithm().generate().getPrivate(), Instant.EPOCH), Clock.systemUTC());
        try
        {
            KeyRing keys = KeyRing.directory(tokens.algorithm(), tokens.keysDirectory(), tokens.rotateEvery(), tokens.jwksMaxAge(),
                tokens.keepAfterRetired(), Clock.systemUTC());
            keys.start(KEYS_REFRESH);
            return keys;
        }
        catch (IOException | RuntimeException x)
        {
            ConfigException problem = new ConfigException(List.of(Setting.JWT_KEYS_DIR + ": cannot use \"" + tokens.keysDirectory() + "\" (" + x + ")"));
            LOG.error("jwt-proxy not started: {}", problem.getMessage());
            throw problem;
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event)
    {
        event.getServletContext().removeAttribute(CONFIG_ATTRIBUTE);
        event.getServletContext().removeAttribute(STATS_ATTRIBUTE);
        if (event.getServletContext().getAttribute(KEYS_ATTRIBUTE) instanceof KeyRing keys)
            keys.close();
        event.getServletContext().removeAttribute(KEYS_ATTRIBUTE);
    }

    /** @return the keys the tokens are signed with, or null when the algorithm is HS512 */
    static KeyRing keys(ServletContext context)
    {
        return (KeyRing)context.getAttribute(KEYS_ATTRIBUTE);
    }

    static ProxyConfig config(ServletContext context) throws ServletException
    {
        return attribute(context, CONFIG_ATTRIBUTE, ProxyConfig.class);
    }

    static ProxyStats stats(ServletContext context) throws ServletException
    {
        return attribute(context, STATS_ATTRIBUTE, ProxyStats.class);
    }

    private static <T> T attribute(ServletContext context, String name, Class<T> type) throws ServletException
    {
        Object value = context.getAttribute(name);
        if (!type.isInstance(value))
            throw new ServletException("jwt-proxy is not configured: " + BootListener.class.getName()
                + " must be registered as a listener of this context");
        return type.cast(value);
    }
}
