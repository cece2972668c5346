package io.jwtproxy;

import java.time.Clock;

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
        context.setAttribute(CONFIG_ATTRIBUTE, config);
        context.setAttribute(STATS_ATTRIBUTE, new ProxyStats(Clock.systemUTC()));
        LOG.info("proxying {}/* -> {} with a fresh HS512 token in {} (user \"{}\", secret {} bytes{})",
            context.getContextPath(), config.upstream(), config.jwtHeader(), config.jwtUser(),
            config.secret().length, config.demoSecret() ? ", random per process" : "");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event)
    {
        event.getServletContext().removeAttribute(CONFIG_ATTRIBUTE);
        event.getServletContext().removeAttribute(STATS_ATTRIBUTE);
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
