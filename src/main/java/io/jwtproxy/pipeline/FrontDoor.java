package io.jwtproxy.pipeline;

import java.util.List;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;

import io.jwtproxy.admin.AdminEndpoints;
import io.jwtproxy.auth.Authentication;
import io.jwtproxy.auth.Identity;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.Failure;
import io.jwtproxy.http.Answer;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.http.ForwardingFields;
import io.jwtproxy.http.RequestPath;
import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.websocket.WebSocketHandshake;

/**
 * The steps every request takes before anything goes upstream, the same for both front ends: its
 * path in normal form (decided on and forwarded), the operators' endpoints under {@code ADMIN_PATH},
 * what the proxy answers itself ({@link LocalAnswers}), then authentication, and a WebSocket handshake that
 * cannot be forwarded.
 */
public final class FrontDoor
{
    private final ProxyRuntime runtime;
    private final LocalAnswers localAnswers;
    private final AdminEndpoints admin;

    public FrontDoor(ProxyRuntime runtime)
    {
        this.runtime = runtime;
        this.localAnswers = new LocalAnswers(runtime.publisher());
        // On the public listener unless the jar has an admin listener for them.
        this.admin = runtime.admin().onPublicListener() ? new AdminEndpoints(runtime, false) : null;
    }

    /** Where a request stands after {@link #enter}. */
    public sealed interface Step
    {
    }

    /**
     * Answered here, nothing forwarded; the front end writes the answer, then finishes the exchange.
     *
     * @param exchange the request's exchange, or null for an operators' endpoint (not counted, not logged)
     */
    public record Answered(Answer answer, Exchange exchange) implements Step
    {
    }

    /** @param path the path in normal form, below the context: what was decided on and is forwarded */
    public record Admitted(String path, Exchange exchange) implements Step
    {
    }

    /**
     * Admitted and authenticated: the request goes upstream.
     *
     * @param caller who the token vouches for, or null (a public path, or {@code AUTH=none})
     * @param webSocket whether the request is a WebSocket handshake (one that can be forwarded: the others are refused here)
     */
    public record Authenticated(String path, Exchange exchange, Identity caller, boolean webSocket) implements Step
    {
    }

    /**
     * @param rawPath the request's path as sent, with the context's
     * @return the answer, or the request admitted to authentication
     */
    public Step enter(ClientRequest clientRequest, String rawPath)
    {
        String context = clientRequest.getContextPath();
        String path;
        try
        {
            path = RequestPath.inContext(rawPath, context);
        }
        catch (RequestPath.Refused x)
        {
            Exchange exchange = runtime.begin(clientRequest, rawPath);
            return refuse(exchange, new Authentication.Deny(HttpStatus.BAD_REQUEST_400, List.of(), x.getMessage(), 0));
        }
        if (admin != null)
        {
            String prefix = runtime.admin().pathPrefix();
            // At the root, where they would shadow the upstream's own paths, only the seed's /status; under ADMIN_PATH all four.
            boolean served = prefix.isEmpty() ? path.equals("/status") : path.startsWith(prefix);
            Answer answer = served ? admin.answer(path.substring(prefix.length()), clientRequest) : null;
            if (answer != null)
                return new Answered(answer, null);
        }
        Exchange exchange = runtime.begin(clientRequest, context + path);
        Answer answer = localAnswers.answer(clientRequest, path, exchange);
        return answer == null ? new Admitted(path, exchange) : new Answered(answer, exchange);
    }

    /** @return whether {@link #authenticate} may wait for this request (bcrypt, an issuer's keys) */
    public boolean authenticationMayWait(ClientRequest clientRequest)
    {
        return runtime.authentication().mayWait(clientRequest);
    }

    /** @return the request with its caller, or the refusal: 401 with a challenge per method that has one, 403, 429 or 503 */
    public Step authenticate(ClientRequest clientRequest, Admitted admitted)
    {
        // Behind a balancer that TRUST_FORWARDED trusts, failed attempts count against the client it names, not against the balancer.
        String clientAddress = runtime.proxy().trustForwarded()
            ? ForwardingFields.clientAddress(clientRequest.getRemoteAddr(), clientRequest.getHeaders("X-Forwarded-For"))
            : clientRequest.getRemoteAddr();
        long started = System.nanoTime();
        Authentication.Outcome outcome = runtime.authentication().authenticate(clientRequest, admitted.path(), clientAddress);
        admitted.exchange().authenticationDecided(outcome.method(), outcome.outcome(), System.nanoTime() - started);
        if (outcome instanceof Authentication.Deny deny)
            return refuse(admitted.exchange(), deny);
        Identity caller = ((Authentication.Pass)outcome).identity();
        admitted.exchange().authenticated(caller == null ? null : caller.subject());
        boolean webSocket = WebSocketHandshake.requested(clientRequest);
        String handshakeRefusal = webSocket ? WebSocketHandshake.refusal(clientRequest) : null;
        if (handshakeRefusal != null)
        {
            // RFC 6455 §4.1: an HTTP/1.1 GET without a body; the connection is not kept after the handshake it meant to be.
            Answer refused = Answer.empty(HttpStatus.BAD_REQUEST_400);
            return new Answered(admitted.exchange().refuse(new Failure(HttpStatus.BAD_REQUEST_400, handshakeRefusal),
                clientRequest.getProtocol().startsWith("HTTP/1") ? refused.with(HttpHeader.CONNECTION, "close") : refused), admitted.exchange());
        }
        return new Authenticated(admitted.path(), admitted.exchange(), caller, webSocket);
    }

    private static Answered refuse(Exchange exchange, Authentication.Deny deny)
    {
        return new Answered(exchange.refuse(new Failure(deny.status(), deny.reason()), deny.answer()), exchange);
    }
}
