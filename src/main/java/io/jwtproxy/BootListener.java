package io.jwtproxy;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jwtproxy.config.ConfigException;
import io.jwtproxy.config.WebappConfig;
import io.jwtproxy.runtime.ProxyRuntime;

/**
 * Starts the proxy's context: puts the one {@link ProxyRuntime} where both servlets find it, logs
 * the wiring, and closes the runtime with the context. In a WAR (web.xml) it builds the runtime from
 * the settings, failing the deployment when they are wrong; the embedded jar hands it one it built.
 */
public class BootListener implements ServletContextListener
{
    private static final Logger LOG = LoggerFactory.getLogger(BootListener.class);
    private static final String ATTRIBUTE = ProxyRuntime.class.getName();

    private final ProxyRuntime given;

    /** Used by web.xml: reads the settings when the context starts. */
    public BootListener()
    {
        this(null);
    }

    public BootListener(ProxyRuntime runtime)
    {
        this.given = runtime;
    }

    @Override
    public void contextInitialized(ServletContextEvent event)
    {
        ServletContext context = event.getServletContext();
        ProxyRuntime runtime;
        try
        {
            if (given != null)
            {
                runtime = given;
            }
            else
            {
                WebappConfig config = WebappConfig.load(context);
                runtime = ProxyRuntime.start(config.proxy(), config.tokens(), config.auth(), config.admin(), config.trace());
            }
        }
        catch (ConfigException x)
        {
            LOG.error("jwt-proxy not started: {}", x.getMessage());
            // Fails the deployment: the container must not serve requests with an unconfigured proxy.
            throw x;
        }
        context.setAttribute(ATTRIBUTE, runtime);
        LOG.info(runtime.wiring(context.getContextPath()));
    }

    /** @return the runtime this listener gave the context */
    static ProxyRuntime runtimeOf(ServletContext context) throws ServletException
    {
        if (context.getAttribute(ATTRIBUTE) instanceof ProxyRuntime runtime)
            return runtime;
        throw new ServletException("jwt-proxy is not configured: " + BootListener.class.getName() + " must be registered as a listener of this context");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event)
    {
        if (event.getServletContext().getAttribute(ATTRIBUTE) instanceof ProxyRuntime runtime)
            runtime.close();
        event.getServletContext().removeAttribute(ATTRIBUTE);
    }
}
