package io.jwtproxy.exchange;

import java.util.List;

/**
 * Everything that happens to an exchange, as one stream: the access log, the counters of the status
 * page, its chart and the Prometheus metrics subscribe to it, and nothing else counts. {@link Exchange}
 * is its only source; each event comes at most once per exchange, but for {@link #minted} (once per
 * token: a retried request gets a fresh one). Subscribers run on the thread that moves the exchange
 * on, so they only count.
 */
public interface ExchangeEvents
{
    /** A request arrived on the public listener, or a gateway asked {@code /forward-auth} (see {@link Exchange#decision()}). */
    default void received(Exchange exchange)
    {
    }

    /**
     * Authentication decided on its caller, either way, before {@link #authenticated} or the refusal's {@link #failed}.
     *
     * @param method the method that decided ({@code bearer}, …, {@code public}, {@code none}), or null when none did
     * @param outcome authenticated, passed, refused, limited or unavailable
     * @param nanos how long authentication took
     */
    default void authenticationDecided(Exchange exchange, String method, String outcome, long nanos)
    {
    }

    /** Its caller was authenticated; {@code subject} null for a public path or {@code AUTH=none}. */
    default void authenticated(Exchange exchange, String subject)
    {
    }

    /**
     * A token was minted for it.
     *
     * @param kid the signing key's id, or null for HS512
     * @param nanos how long minting took
     */
    default void minted(Exchange exchange, String kid, long nanos)
    {
    }

    /** Its request went upstream (a WebSocket handshake included). */
    default void forwarded(Exchange exchange)
    {
    }

    /** The upstream's final answer arrived, with this status. */
    default void answered(Exchange exchange, int status)
    {
    }

    /** It failed or was refused: the first failure, the one the client's status says. */
    default void failed(Exchange exchange, Failure failure)
    {
    }

    /** Its WebSocket opened (the upstream switched and so did the client). */
    default void webSocketOpened(Exchange exchange)
    {
    }

    /** Its WebSocket, once open, ended. */
    default void webSocketClosed(Exchange exchange)
    {
    }

    /** {@code /forward-auth} decided on the request a gateway asked about. */
    default void forwardAuthDecided(Exchange exchange, boolean allowed)
    {
    }

    /**
     * It ended: the last event.
     *
     * @param status the status the client got
     * @param nanos how long the exchange took
     * @param outcome how it failed or was retried, or null
     */
    default void finished(Exchange exchange, int status, long nanos, String outcome)
    {
    }

    /** @return one stream that hands each event to every subscriber, in their order */
    static ExchangeEvents all(List<ExchangeEvents> subscribers)
    {
        ExchangeEvents[] each = subscribers.toArray(ExchangeEvents[]::new);
        return new ExchangeEvents()
        {
            @Override
            public void received(Exchange exchange)
            {
                for (ExchangeEvents events : each)
                    events.received(exchange);
            }

            @Override
            public void authenticationDecided(Exchange exchange, String method, String outcome, long nanos)
            {
                for (ExchangeEvents events : each)
                    events.authenticationDecided(exchange, method, outcome, nanos);
            }

            @Override
            public void authenticated(Exchange exchange, String subject)
            {
                for (ExchangeEvents events : each)
                    events.authenticated(exchange, subject);
            }

            @Override
            public void minted(Exchange exchange, String kid, long nanos)
            {
                for (ExchangeEvents events : each)
                    events.minted(exchange, kid, nanos);
            }

            @Override
            public void forwarded(Exchange exchange)
            {
                for (ExchangeEvents events : each)
                    events.forwarded(exchange);
            }

            @Override
            public void answered(Exchange exchange, int status)
            {
                for (ExchangeEvents events : each)
                    events.answered(exchange, status);
            }

            @Override
            public void failed(Exchange exchange, Failure failure)
            {
                for (ExchangeEvents events : each)
                    events.failed(exchange, failure);
            }

            @Override
            public void webSocketOpened(Exchange exchange)
            {
                for (ExchangeEvents events : each)
                    events.webSocketOpened(exchange);
            }

            @Override
            public void webSocketClosed(Exchange exchange)
            {
                for (ExchangeEvents events : each)
                    events.webSocketClosed(exchange);
            }

            @Override
            public void forwardAuthDecided(Exchange exchange, boolean allowed)
            {
                for (ExchangeEvents events : each)
                    events.forwardAuthDecided(exchange, allowed);
            }

            @Override
            public void finished(Exchange exchange, int status, long nanos, String outcome)
            {
                for (ExchangeEvents events : each)
                    events.finished(exchange, status, nanos, outcome);
            }
        };
    }
}
