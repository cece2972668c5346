package io.jwtproxy.admin;

import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;

import io.jwtproxy.auth.Authentication;
import io.jwtproxy.auth.Identity;
import io.jwtproxy.config.ForwardAuthGateway;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.Failure;
import io.jwtproxy.http.Answer;
import io.jwtproxy.http.Cidr;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.http.ForwardingFields;
import io.jwtproxy.http.Headers;
import io.jwtproxy.http.RequestPath;
import io.jwtproxy.runtime.ProxyRuntime;
import io.jwtproxy.token.JwtMinter;

/**
 * {@code /forward-auth} on the admin listener: the decision a gateway asks for before it forwards
 * a request itself (nginx {@code auth_request}, Caddy {@code forward_auth}, Traefik
 * {@code forwardAuth}, Envoy {@code ext_authz}). The original request is read from the fields of
 * FORWARD_AUTH_GATEWAY, checked and normalised as the public listener does its own, authenticated
 * as {@code AUTH} says, and answered 200 with a token for it (in {@code JWT_HEADER}, with
 * {@code X-Auth-Request-User} and {@code -Email}), or with the refusal and its challenges; a
 * request that names its original ambiguously or malformed gets 400. Its body is never needed.
 * Only {@code FORWARD_AUTH_CLIENTS} may ask.
 */
public final class ForwardAuth
{
    public static final String PATH = "/forward-auth";

    /**
     * The request a gateway asks about.
     *
     * @param path its path in normal form: what is decided on
     * @param query its raw query, or null
     */
    record Original(String method, String scheme, String host, String path, String query)
    {
        /** @return the URI the token binds ({@code htu}, the query left to the minter to drop) */
        String uri()
        {
            return scheme + "://" + host + path + (query == null ? "" : "?" + query);
        }
    }

    /** The gateway's request does not name one original request, or names a malformed one. */
    static final class Unclear extends Exception
    {
        Unclear(String reason)
        {
            super(reason, null, false, false);
        }
    }

    private final ProxyRuntime runtime;
    private final List<Cidr> clients;
    private final ForwardAuthGateway gateway;

    public ForwardAuth(ProxyRuntime runtime, List<Cidr> clients, ForwardAuthGateway gateway)
    {
        this.runtime = runtime;
        this.clients = clients;
        this.gateway = gateway;
    }

    /** @param path a request path in normal form */
    public static boolean serves(String path)
    {
        return RequestPath.under(path, PATH);
    }

    /**
     * @param path the gateway request's path in normal form, below {@link #PATH}
     * @return the decision, to be written to the gateway; its exchange ends once it is
     */
    public Decision decide(ClientRequest gatewayRequest, String path)
    {
        String peer = gatewayRequest.getRemoteAddr();
        if (clients.stream().noneMatch(block -> block.contains(peer)))
            return deny(begin(gatewayRequest, gatewayRequest.getMethod(), path, path), new Authentication.Deny(HttpStatus.FORBIDDEN_403, List.of(),
                peer + " is not in FORWARD_AUTH_CLIENTS", 0));
        Original original;
        try
        {
            original = original(gatewayRequest, path, gateway);
        }
        catch (Unclear x)
        {
            return deny(begin(gatewayRequest, gatewayRequest.getMethod(), path, path), new Authentication.Deny(HttpStatus.BAD_REQUEST_400, List.of(),
                x.getMessage(), 0));
        }
        Exchange exchange = begin(gatewayRequest, original.method(), original.path(), path);
        // The gateway is trusted (a FORWARD_AUTH_CLIENT): failures count against the client it names.
        String clientAddress = ForwardingFields.clientAddress(peer, gatewayRequest.getHeaders("X-Forwarded-For"));
        long started = System.nanoTime();
        Authentication.Outcome outcome = runtime.authentication().authenticate(gatewayRequest.withMethod(original.method()), original.path(),
            clientAddress);
        exchange.authenticationDecided(outcome.method(), outcome.outcome(), System.nanoTime() - started);
        if (outcome instanceof Authentication.Deny deny)
            return deny(exchange, deny);
        Identity caller = ((Authentication.Pass)outcome).identity();
        exchange.authenticated(caller == null ? null : caller.subject());
        JwtMinter.Minted minted;
        try
        {
            minted = runtime.mint(caller, original.method(), original.uri(), exchange);
        }
        catch (RuntimeException x)
        {
            return deny(exchange, new Authentication.Deny(HttpStatus.INTERNAL_SERVER_ERROR_500, List.of(), Failure.MINTING_FAILED.reason(), 0));
        }
        exchange.forwardAuthDecided(true);
        HttpFields.Mutable fields = HttpFields.build().put(HttpHeader.CACHE_CONTROL, "no-store").put(runtime.proxy().tokenHeader(), minted.token());
        if (caller != null)
        {
            fields.put("X-Auth-Request-User", caller.subject());
            if (caller.email() != null)
                fields.put("X-Auth-Request-Email", caller.email());
        }
        return traced(Answer.empty(HttpStatus.OK_200, fields), exchange);
    }

    /**
     * What {@code /forward-auth} answers: 200 with the token, or a refusal.
     *
     * @param exchange the decision's exchange, finished by {@link #written}
     */
    public record Decision(Answer answer, Exchange exchange)
    {
        /** @param cut whether writing the answer failed */
        public void written(boolean cut)
        {
            exchange.finish(answer.status(), cut);
        }
    }

    /** @param asked the gateway's path below {@link #PATH} */
    private Exchange begin(ClientRequest gatewayRequest, String method, String path, String asked)
    {
        Exchange exchange = runtime.beginDecision(gatewayRequest, method, path, PATH, PATH + asked);
        exchange.note("forward-auth decision for " + gatewayRequest.getRemoteAddr());
        return exchange;
    }

    private Decision deny(Exchange exchange, Authentication.Deny deny)
    {
        exchange.forwardAuthDecided(false);
        return traced(exchange.refuse(new Failure(deny.status(), deny.reason()), deny.answer()).with(HttpHeader.CACHE_CONTROL, "no-store"), exchange);
    }

    /** @return the decision, its answer carrying the decision span's trace context back to the gateway when it is traced */
    private Decision traced(Answer answer, Exchange exchange)
    {
        HttpFields.Mutable context = HttpFields.build();
        runtime.tracing().contextFields(exchange, context::put);
        return new Decision(answer.with(context), exchange);
    }

    /**
     * The original request, from the fields of {@code gateway}: its method and URI (see
     * {@link ForwardAuthGateway}), host and scheme from {@code X-Forwarded-Host} and {@code -Proto},
     * else the request's own {@code Host} and {@code http}.
     *
     * @param path the gateway request's path in normal form, below {@link #PATH}
     * @throws Unclear if another spelling disagrees, a field comes twice with two values, or a value is malformed
     */
    static Original original(ClientRequest request, String path, ForwardAuthGateway gateway) throws Unclear
    {
        String method = named(request, gateway.methodField(), ForwardAuthGateway.METHOD_FIELDS, gateway == ForwardAuthGateway.ANY);
        String uri = named(request, gateway.uriField(), ForwardAuthGateway.URI_FIELDS, gateway == ForwardAuthGateway.ANY);
        if (gateway.uriField() != null && uri == null)
            throw new Unclear(gateway.label() + " sends the original URI in " + gateway.uriField() + ", and this request has none");
        if (method == null)
            method = request.getMethod();
        if (!Headers.isToken(method))
            throw new Unclear("the original method is not a token");
        String pathAndQuery;
        if (uri != null)
        {
            pathAndQuery = uri;
        }
        else
        {
            // Envoy's ext_authz HTTP service: the original path appended to the authorization path.
            String rest = path.substring(PATH.length());
            pathAndQuery = (rest.isEmpty() ? "/" : rest) + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        }
        for (int i = 0; i < pathAndQuery.length(); i++)
        {
            char c = pathAndQuery.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '#')
                throw new Unclear("the original URI has a space, a control, a # or a character outside ASCII");
        }
        if (!pathAndQuery.startsWith("/"))
            throw new Unclear("the original URI is not a path (origin-form)");
        int question = pathAndQuery.indexOf('?');
        String originalPath;
        try
        {
            originalPath = RequestPath.normalise(question < 0 ? pathAndQuery : pathAndQuery.substring(0, question));
        }
        catch (RequestPath.Refused x)
        {
            throw new Unclear("the original URI: " + x.getMessage());
        }
        String host = single(request, "X-Forwarded-Host");
        if (host == null)
            host = request.getHeader("Host");
        if (host == null || host.isEmpty() || !host.chars().allMatch(c -> c > 0x20 && c < 0x7F && "/?#@,\\\"".indexOf(c) < 0))
            throw new Unclear("X-Forwarded-Host (or Host) is not a host");
        String scheme = single(request, "X-Forwarded-Proto");
        scheme = scheme == null ? "http" : scheme.toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https"))
            throw new Unclear("X-Forwarded-Proto is neither http nor https");
        return new Original(method, scheme, host, originalPath, question < 0 ? null : pathAndQuery.substring(question + 1));
    }

    /**
     * @param field the field the gateway writes, or null for none (the caller then falls back on the request's own)
     * @param spellings every field a gateway may write this in
     * @param any whether whichever spelling is there counts ({@link ForwardAuthGateway#ANY})
     * @return the value, or null
     * @throws Unclear if another spelling, which a client may have written through the gateway, disagrees
     */
    private static String named(ClientRequest request, String field, List<String> spellings, boolean any) throws Unclear
    {
        String value = field == null ? null : single(request, field);
        for (String spelling : spellings)
        {
            String other = single(request, spelling);
            if (other == null || other.equals(value))
                continue;
            if (value == null && any)
            {
                value = other;
                field = spelling;
                continue;
            }
            throw new Unclear(spelling + " disagrees with " + (field == null ? "the request's own" : field) + ": refused, not guessed");
        }
        return value;
    }

    /** @return a field's one value, trimmed; null if absent or blank; a field sent twice with two values is {@link Unclear} */
    private static String single(ClientRequest request, String name) throws Unclear
    {
        String value = null;
        for (Enumeration<String> values = request.getHeaders(name); values != null && values.hasMoreElements(); )
        {
            String next = values.nextElement().trim();
            if (next.isEmpty())
                continue;
            if (value != null && !value.equals(next))
                throw new Unclear("two " + name + " fields that disagree");
            value = next;
        }
        return value;
    }
}
