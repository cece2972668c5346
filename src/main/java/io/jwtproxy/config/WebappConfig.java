package io.jwtproxy.config;

import jakarta.servlet.ServletContext;

/**
 * What a deployed WAR reads: the forwarding and token settings, complete (an upstream and key
 * material are required). The embedded server's settings are not read: a stray HTTP_PORT in a
 * container's environment is the container's business.
 */
public record WebappConfig(ProxyConfig proxy, TokenConfig tokens, AuthConfig auth, AdminConfig admin, TraceConfig trace)
{
    /** @throws ConfigException naming every bad or missing setting */
    public static WebappConfig load(ConfigSource source)
    {
        Problems problems = new Problems();
        ProxyConfig proxy = ProxyConfig.load(source, true, problems);
        TokenConfig tokens = TokenConfig.load(source, true, problems);
        AuthConfig auth = AuthConfig.load(source, problems);
        AdminConfig admin = AdminConfig.load(source, problems);
        TraceConfig trace = TraceConfig.load(source, problems);
        problems.throwIfAny();
        return new WebappConfig(proxy, tokens, auth, admin, trace);
    }

    /** @return the settings of a webapp: JVM system properties, then the environment, then its context parameters */
    public static WebappConfig load(ServletContext context)
    {
        return load(ConfigSource.webapp(context));
    }
}
