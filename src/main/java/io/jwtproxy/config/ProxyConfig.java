package io.jwtproxy.config;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.jwtproxy.http.Headers;

/**
 * How requests are forwarded, read by every deployment: where to, with the token in which header,
 * how long the upstream may take, what the proxy says of itself and of the client.
 *
 * @param upstream where requests go
 * @param tokenHeader the name of the header that carries the token, lower case
 * @param upstreamConnectTimeout how long connecting to the upstream may take before 502
 * @param upstreamIdleTimeout how long the upstream may stay silent mid-exchange before 504
 * @param viaPseudonym the name in the Via header this proxy appends
 * @param trustForwarded whether client-supplied Forwarded and X-Forwarded-* fields are kept and appended to
 * @param maxResponseHeaderBytes the largest response head the proxy relays
 * @param webSocketIdleTimeout how long a WebSocket may stay silent both ways before it is closed
 * @param transport the protocol and TLS material for the upstream
 * @param tlsWatchInterval how often TLS files are checked for renewals
 * @param relayEchoedToken whether a token header in the upstream's answer reaches the client: only
 *                         for the demo's built-in echo upstream, whose purpose is to show it
 */
public record ProxyConfig(Upstream upstream, String tokenHeader, Duration upstreamConnectTimeout, Duration upstreamIdleTimeout,
                          String viaPseudonym, boolean trustForwarded, int maxResponseHeaderBytes, Duration webSocketIdleTimeout,
                          UpstreamTransport transport, Duration tlsWatchInterval, boolean relayEchoedToken)
{
    // Headers HTTP framing or the proxy owns: a token under one of these names would be dropped or break the message.
    private static final Set<String> RESERVED_HEADERS = Stream.concat(Headers.HOP_BY_HOP.stream(),
        Stream.of("host", "content-length", "content-type", "expect", "forwarded", "via", "authorization", "cookie"))
        .collect(Collectors.toUnmodifiableSet());

    /**
     * Reads and checks the forwarding settings, adding what is wrong to {@code problems}.
     *
     * @param upstreamRequired whether a missing UPSTREAM_URL is a problem; if not, {@link #upstream} is null
     */
    public static ProxyConfig load(ConfigSource source, boolean upstreamRequired, Problems problems)
    {
        Upstream upstream = null;
        String upstreamUrl = Values.string(source, Setting.UPSTREAM_URL);
        if (upstreamUrl == null)
        {
            if (upstreamRequired)
                problems.add(Setting.UPSTREAM_URL, "is required (for example http://127.0.0.1:9000)");
        }
        else
        {
            try
            {
                upstream = Upstream.parse(upstreamUrl);
            }
            catch (IllegalArgumentException x)
            {
                problems.add(Setting.UPSTREAM_URL, x.getMessage());
            }
        }

        String tokenHeader = Values.string(source, Setting.JWT_HEADER).trim().toLowerCase(Locale.ROOT);
        if (!Headers.isToken(tokenHeader))
            problems.add(Setting.JWT_HEADER, "\"" + tokenHeader + "\" is not a valid header name");
        else if (RESERVED_HEADERS.contains(tokenHeader))
            problems.add(Setting.JWT_HEADER, "\"" + tokenHeader + "\" is a header the proxy or HTTP itself uses");

        Duration connectTimeout = Values.duration(source, Setting.UPSTREAM_CONNECT_TIMEOUT, problems);
        Duration idleTimeout = Values.duration(source, Setting.UPSTREAM_IDLE_TIMEOUT, problems);

        String viaPseudonym = Values.string(source, Setting.VIA_PSEUDONYM).trim();
        if (!Headers.isToken(viaPseudonym))
            problems.add(Setting.VIA_PSEUDONYM, "\"" + viaPseudonym + "\" is not a token (letters, digits, -._~ and the like)");

        boolean trustForwarded = Values.bool(source, Setting.TRUST_FORWARDED, problems);
        int maxResponseHeaderBytes = Values.integer(source, Setting.MAX_RESPONSE_HEADER_BYTES, problems);

        Duration webSocketIdleTimeout = Values.duration(source, Setting.WEBSOCKET_IDLE_TIMEOUT, problems);
        UpstreamTransport transport = UpstreamTransport.load(source, upstream, upstreamUrl != null, Instant.now(), problems);
        Duration tlsWatchInterval = Values.duration(source, Setting.TLS_WATCH_INTERVAL, problems);

        return new ProxyConfig(upstream, tokenHeader, connectTimeout, idleTimeout, viaPseudonym, trustForwarded, maxResponseHeaderBytes,
            webSocketIdleTimeout, transport, tlsWatchInterval, false);
    }

    /** @return a copy that forwards to {@code upstream}; {@code relayEchoedToken} only for the demo's echo upstream */
    public ProxyConfig withUpstream(Upstream upstream, boolean relayEchoedToken)
    {
        return new ProxyConfig(upstream, tokenHeader, upstreamConnectTimeout, upstreamIdleTimeout, viaPseudonym, trustForwarded,
            maxResponseHeaderBytes, webSocketIdleTimeout, transport, tlsWatchInterval, relayEchoedToken);
    }
}
