package io.jwtproxy.config;

/**
 * What the executable jar reads: the embedded server's settings and the proxy's. An upstream and key
 * material may be missing: the jar's {@code Main} then runs its demo, and completes this with
 * {@link ProxyConfig#withUpstream} and {@link TokenConfig#withGeneratedKey}.
 */
public record EmbeddedConfig(ServerConfig server, ProxyConfig proxy, TokenConfig tokens)
{
    /** @throws ConfigException naming every bad setting */
    public static EmbeddedConfig load(ConfigSource source)
    {
        Problems problems = new Problems();
        ServerConfig server = ServerConfig.load(source, problems);
        ProxyConfig proxy = ProxyConfig.load(source, false, problems);
        TokenConfig tokens = TokenConfig.load(source, false, problems);
        problems.throwIfAny();
        return new EmbeddedConfig(server, proxy, tokens);
    }

    /** @return whether an upstream and key material are both set: nothing is left for a demo to stand in for */
    public boolean complete()
    {
        return proxy.upstream() != null && tokens.hasKey();
    }
}
