package io.jwtproxy.config;

import java.time.Duration;

/**
 * The embedded server's settings, read by the executable jar only: a deployed WAR leaves them to
 * its container, and never reads (or fails on) them.
 *
 * @param host the listen address
 * @param port the port, 0 for a free one
 * @param clientIdleTimeout how long a client connection may stay silent
 * @param maxRequestHeaderBytes the largest request head accepted
 * @param listenBacklog the listen queue's length
 * @param shutdownDrain how long in-flight requests may take to finish on SIGTERM or SIGINT
 */
public record ServerConfig(String host, int port, Duration clientIdleTimeout, int maxRequestHeaderBytes, int listenBacklog,
                           Duration shutdownDrain)
{
    /** Reads and checks the embedded server's settings, adding what is wrong to {@code problems}. */
    public static ServerConfig load(ConfigSource source, Problems problems)
    {
        return new ServerConfig(
            Values.string(source, Setting.HTTP_HOST).trim(),
            Values.integer(source, Setting.HTTP_PORT, 0, 65535, "is not a port number (0-65535)", problems),
            Values.duration(source, Setting.CLIENT_IDLE_TIMEOUT, problems),
            Values.integer(source, Setting.MAX_REQUEST_HEADER_BYTES, 1024, 1 << 20, "is not a number of bytes from 1024 to 1048576", problems),
            Values.integer(source, Setting.LISTEN_BACKLOG, 1, 65535, "is not a queue length from 1 to 65535", problems),
            Values.duration(source, Setting.SHUTDOWN_DRAIN, problems));
    }

    /** @return the embedded server's settings from {@code source} alone, as {@code java -jar jwt-proxy.jar echo} reads them */
    public static ServerConfig load(ConfigSource source)
    {
        Problems problems = new Problems();
        ServerConfig server = load(source, problems);
        problems.throwIfAny();
        return server;
    }
}
