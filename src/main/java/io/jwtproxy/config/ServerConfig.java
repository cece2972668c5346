package io.jwtproxy.config;

import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.jwtproxy.http.Cidr;
import io.jwtproxy.tls.TlsFileException;
import io.jwtproxy.tls.TlsIdentity;
import io.jwtproxy.tls.TrustedAuthorities;

/**
 * The embedded server's settings, read by the executable jar only: a deployed WAR leaves them to
 * its container, and never reads (or fails on) them.
 *
 * @param host the listen address
 * @param port the plain listener's port, 0 for a free one, {@link #OFF} for none
 * @param clientIdleTimeout how long a client connection may stay silent
 * @param maxRequestHeaderBytes the largest request head accepted
 * @param listenBacklog the listen queue's length
 * @param shutdownDelay how long the proxy serves on, not ready, after SIGTERM or SIGINT before it closes its listeners
 * @param shutdownDrain how long in-flight requests may take to finish once the listeners are closed
 * @param tls the TLS listener, or null for none
 * @param admin the admin listener, or null for none
 * @param engine what runs the proxy: Jetty's core handlers or the servlet
 */
public record ServerConfig(String host, int port, Duration clientIdleTimeout, int maxRequestHeaderBytes, int listenBacklog,
                           Duration shutdownDelay, Duration shutdownDrain, TlsListener tls, AdminListener admin, Engine engine)
{
    /** ENGINE: what runs the proxy in the embedded server. */
    public enum Engine
    {
        /** Jetty's core handler API and its HTTP client ({@code CoreProxyHandler}). */
        CORE,
        /** The WAR's servlet, {@code JwtProxyServlet}, in an embedded servlet context. */
        SERVLET
    }

    /**
     * The admin listener: {@code /status}, {@code /metrics}, {@code /healthz}, {@code /readyz}; port 0 for a free one.
     *
     * @param forwardAuthClients who may call {@code /forward-auth}; null when FORWARD_AUTH is off
     * @param forwardAuthGateway whose fields {@code /forward-auth} reads the original request from
     */
    public record AdminListener(String host, int port, List<Cidr> forwardAuthClients, ForwardAuthGateway forwardAuthGateway)
    {
    }

    /** {@link #port} when HTTP_PORT is {@code off}. */
    public static final int OFF = -2;

    /**
     * The TLS listener.
     *
     * @param port its port, 0 for a free one
     * @param identity the certificate and key it starts with, from {@code certificateFile} and {@code keyFile}
     * @param watchInterval how often those files are checked for a renewal
     * @param clientAuthorities the CAs of the client certificates it asks for (TLS_CLIENT_CA_FILE), or null to ask for none
     */
    public record TlsListener(int port, Path certificateFile, Path keyFile, TlsIdentity identity, Duration watchInterval,
                              KeyStore clientAuthorities)
    {
    }

    /** A server with a plain listener only, which stops without a delay. */
    public ServerConfig(String host, int port, Duration clientIdleTimeout, int maxRequestHeaderBytes, int listenBacklog, Duration shutdownDrain)
    {
        this(host, port, clientIdleTimeout, maxRequestHeaderBytes, listenBacklog, Duration.ZERO, shutdownDrain, null, null, Engine.CORE);
    }

    /** @return whether the plain (HTTP/1.1 and h2c) listener runs */
    public boolean plainListener()
    {
        return port != OFF;
    }

    /** Reads and checks the embedded server's settings, adding what is wrong to {@code problems}. */
    public static ServerConfig load(ConfigSource source, Problems problems)
    {
        boolean off = Values.string(source, Setting.HTTP_PORT).trim().toLowerCase(Locale.ROOT).equals("off");
        int port = off ? OFF : Values.integer(source, Setting.HTTP_PORT, problems);
        TlsListener tls = tls(source, problems);
        if (off && Values.optional(source, Setting.HTTPS_PORT) == null)
            problems.add(Setting.HTTP_PORT, "is off, but HTTPS_PORT is not set: the proxy would listen nowhere");
        if (tls != null && port == tls.port() && port > 0)
            problems.add(Setting.HTTPS_PORT, "is " + port + ", HTTP_PORT's port too");
        return new ServerConfig(
            Values.string(source, Setting.HTTP_HOST).trim(),
            port,
            Values.duration(source, Setting.CLIENT_IDLE_TIMEOUT, problems),
            Values.integer(source, Setting.MAX_REQUEST_HEADER_BYTES, problems),
            Values.integer(source, Setting.LISTEN_BACKLOG, problems),
            Values.duration(source, Setting.SHUTDOWN_DELAY, problems),
            Values.duration(source, Setting.SHUTDOWN_DRAIN, problems),
            tls, admin(source, problems), engine(source, problems));
    }

    private static Engine engine(ConfigSource source, Problems problems)
    {
        return "servlet".equals(Values.choice(source, Setting.ENGINE, problems)) ? Engine.SERVLET : Engine.CORE;
    }

    private static AdminListener admin(ConfigSource source, Problems problems)
    {
        boolean forwardAuth = Values.bool(source, Setting.FORWARD_AUTH, problems);
        List<Cidr> clients = new ArrayList<>();
        for (String block : Values.string(source, Setting.FORWARD_AUTH_CLIENTS).split(","))
        {
            if (block.isBlank())
                continue;
            try
            {
                clients.add(Cidr.parse(block));
            }
            catch (IllegalArgumentException x)
            {
                problems.add(Setting.FORWARD_AUTH_CLIENTS, x.getMessage());
            }
        }
        String gatewayName = Values.string(source, Setting.FORWARD_AUTH_GATEWAY).trim().toLowerCase(Locale.ROOT);
        ForwardAuthGateway gateway = Arrays.stream(ForwardAuthGateway.values()).filter(g -> g.label().equals(gatewayName)).findFirst().orElse(null);
        if (gateway == null)
            problems.add(Setting.FORWARD_AUTH_GATEWAY, "\"" + gatewayName + "\" is none of nginx, caddy, traefik, envoy, any");
        if (Values.optional(source, Setting.ADMIN_PORT) == null)
        {
            if (forwardAuth)
                problems.add(Setting.FORWARD_AUTH, "is true, but ADMIN_PORT is not set: /forward-auth is served on the admin listener only");
            return null;
        }
        int port = Values.integer(source, Setting.ADMIN_PORT, problems);
        return new AdminListener(Values.string(source, Setting.ADMIN_HOST).trim(), port, forwardAuth ? List.copyOf(clients) : null, gateway);
    }

    /** @return the TLS listener HTTPS_PORT asks for, its files read and checked; null without one, or after a problem */
    private static TlsListener tls(ConfigSource source, Problems problems)
    {
        String certificateFile = Values.optional(source, Setting.TLS_CERT_FILE);
        String keyFile = Values.optional(source, Setting.TLS_KEY_FILE);
        String clientCaFile = Values.optional(source, Setting.TLS_CLIENT_CA_FILE);
        KeyStore clientAuthorities = null;
        if (clientCaFile != null)
        {
            if (Values.optional(source, Setting.HTTPS_PORT) == null)
                problems.add(Setting.TLS_CLIENT_CA_FILE, "is set, but HTTPS_PORT is not: client certificates come over TLS");
            try
            {
                clientAuthorities = TrustedAuthorities.load(Path.of(clientCaFile));
            }
            catch (TlsFileException x)
            {
                problems.add(Setting.TLS_CLIENT_CA_FILE, x.getMessage());
            }
        }
        if (Values.optional(source, Setting.HTTPS_PORT) == null)
        {
            if (certificateFile != null)
                problems.add(Setting.TLS_CERT_FILE, "is set, but HTTPS_PORT is not: set HTTPS_PORT to listen for TLS");
            if (keyFile != null)
                problems.add(Setting.TLS_KEY_FILE, "is set, but HTTPS_PORT is not: set HTTPS_PORT to listen for TLS");
            return null;
        }
        int port = Values.integer(source, Setting.HTTPS_PORT, problems);
        Duration watchInterval = Values.duration(source, Setting.TLS_WATCH_INTERVAL, problems);
        if (certificateFile == null)
            problems.add(Setting.TLS_CERT_FILE, "is required with HTTPS_PORT (a PEM certificate chain, leaf first)");
        if (keyFile == null)
            problems.add(Setting.TLS_KEY_FILE, "is required with HTTPS_PORT (the certificate's PEM private key)");
        if (certificateFile == null || keyFile == null || port < 0)
            return null;
        try
        {
            TlsIdentity identity = TlsIdentity.load(Path.of(certificateFile), Path.of(keyFile), TlsIdentity.Role.SERVER, Instant.now());
            return new TlsListener(port, Path.of(certificateFile), Path.of(keyFile), identity, watchInterval, clientAuthorities);
        }
        catch (TlsFileException x)
        {
            problems.add(x.file() == TlsFileException.File.CERTIFICATE ? Setting.TLS_CERT_FILE : Setting.TLS_KEY_FILE, x.getMessage());
            return null;
        }
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
