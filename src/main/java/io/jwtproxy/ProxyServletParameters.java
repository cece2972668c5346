package io.jwtproxy;

import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;

import io.jwtproxy.config.ProxyConfig;

/**
 * The init parameters of Jetty's proxy servlet as jwt-proxy runs it: Jetty's own, except those
 * this product sets differently ({@link #DEFAULTS}, which web.xml may still override), those the
 * settings decide, and outside Jetty a thread pool size, without which Jetty's proxy servlet fails
 * with "No server executor for proxy" on Tomcat.
 */
final class ProxyServletParameters implements ServletConfig
{
    /** Set differently from Jetty; web.xml may override each. docs/settings.md's init-param table is generated from it. */
    static final Map<String, String> DEFAULTS = Map.of(
        // Jetty's "timeout" is a total exchange timeout (60 s by default) that cuts any large
        // transfer however healthy; idleTimeout still ends a stalled upstream.
        "timeout", "0",
        // 64 KiB buffers: a 2 GB full-duplex echo took 4.2-4.4 s instead of 6.2-7.1 s with HttpClient's defaults.
        "requestBufferSize", "65536",
        "responseBufferSize", "65536");

    private final ServletConfig delegate;
    private final Map<String, String> defaults;
    private final Map<String, String> settings;

    ProxyServletParameters(ServletConfig delegate, ProxyConfig proxy)
    {
        this.delegate = delegate;
        // The product's settings decide Jetty's idle timeout and Via name, whatever an init-param says.
        this.settings = Map.of("idleTimeout", Long.toString(proxy.upstreamIdleTimeout().toMillis()), "viaHost", proxy.viaPseudonym());
        this.defaults = new HashMap<>(DEFAULTS);
        if (delegate.getServletContext().getAttribute("org.eclipse.jetty.server.Executor") == null)
            defaults.put("maxThreads", "256");
    }

    @Override
    public String getServletName()
    {
        return delegate.getServletName();
    }

    @Override
    public ServletContext getServletContext()
    {
        return delegate.getServletContext();
    }

    @Override
    public String getInitParameter(String name)
    {
        if (settings.containsKey(name))
            return settings.get(name);
        String value = delegate.getInitParameter(name);
        return value != null ? value : defaults.get(name);
    }

    @Override
    public Enumeration<String> getInitParameterNames()
    {
        Set<String> names = new LinkedHashSet<>(defaults.keySet());
        names.addAll(settings.keySet());
        names.addAll(Collections.list(delegate.getInitParameterNames()));
        return Collections.enumeration(names);
    }
}
