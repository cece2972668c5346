package io.jwtproxy.exchange;

/**
 * The servlet container the proxy runs in, where relaying depends on it: what it sends of
 * interim responses ({@link InterimResponses}), how it ends a response without a body
 * ({@link ResponseTrailers#end}).
 */
public enum Container
{
    /** Jetty: the jar, and the WAR in jetty-home. */
    JETTY,
    /** Any other: Tomcat 10.1 and 11. */
    OTHER;

    /** @param serverInfo the container's {@code ServletContext.getServerInfo()} */
    public static Container of(String serverInfo)
    {
        return serverInfo != null && serverInfo.startsWith("jetty/") ? JETTY : OTHER;
    }
}
