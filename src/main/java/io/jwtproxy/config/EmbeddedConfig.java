package io.jwtproxy.config;

/**
 * What the executable jar reads: the embedded server's settings and the proxy's. An upstream and key
 * material may be missing: the jar's {@code Main} then runs its demo, and completes this with
 * {@link ProxyConfig#withUpstream} and {@link TokenConfig#withGeneratedKey}.
 */
public record EmbeddedConfig(ServerConfig server, ProxyConfig proxy, TokenConfig tokens, AuthConfig auth, AdminConfig admin, TraceConfig trace)
{
    /** @throws ConfigException naming every bad setting */
    public static EmbeddedConfig load(ConfigSource source)
    {
        Problems problems = new Problems();
        ServerConfig server = ServerConfig.load(source, problems);
        ProxyConfig proxy = ProxyConfig.load(source, false, problems);
        TokenConfig tokens = TokenConfig.load(source, false, problems);
        AuthConfig auth = AuthConfig.load(source, problems);
        AdminConfig admin = AdminConfig.load(source, problems);
        TraceConfig trace = TraceConfig.load(source, problems);
        if (auth.uses(AuthConfig.Method.MTLS) && (server.tls() == null || server.tls().clientAuthorities() == null))
            problems.add(Setting.AUTH, "mtls needs the TLS listener to ask for client certificates: set HTTPS_PORT and TLS_CLIENT_CA_FILE");
        if (auth.uses(AuthConfig.Method.CONTAINER) && server.engine() == ServerConfig.Engine.CORE)
            problems.add(Setting.AUTH, "container needs a servlet container's login, which the core engine has not: set ENGINE=servlet, or deploy the WAR");
        problems.throwIfAny();
        return new EmbeddedConfig(server, proxy, tokens, auth, server.admin() == null ? admin : admin.onAdminListener(), trace);
    }

    /** @return whether an upstream and key material are both set: nothing is left for a demo to stand in for */
    public boolean complete()
    {
        return proxy.upstream() != null && tokens.hasKey();
    }
}
