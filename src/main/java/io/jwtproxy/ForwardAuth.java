package io.jwtproxy;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import io.jwtproxy.auth.Authentication;
import io.jwtproxy.auth.Identity;
import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.exchange.Failure;
import io.jwtproxy.http.Cidr;
import io.jwtproxy.token.JwtMinter;

/**
 * {@code /forward-auth} on the admin listener: the decision a gateway asks for before it forwards
 * a request itself (nginx {@code auth_request}, Caddy {@code forward_auth}, Traefik
 * {@code forwardAuth}, Envoy {@code ext_authz}). The original request is read from the gateway's
 * fields, authenticated as {@code AUTH} says, and answered 200 with a token for it (in
 * {@code JWT_HEADER}, with {@code X-Auth-Request-User} and {@code -Email}), or with the refusal and
 * its challenges. Its body is never needed. Only {@code FORWARD_AUTH_CLIENTS} may ask.
 */
final class ForwardAuth
{
    static final String PATH = "/forward-auth";

    /** The request a gateway asks about: its method, scheme, host and path with query. */
    record Original(String method, String scheme, String host, String pathAndQuery)
    {
        /** @return the URI the token binds ({@code htu}, the query left to the minter to drop) */
        String uri()
        {
            return scheme + "://" + host + pathAndQuery;
        }

        String path()
        {
            int query = pathAndQuery.indexOf('?');
            return query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
        }
    }

    private final ProxyRuntime runtime;
    private final List<Cidr> clients;

    ForwardAuth(ProxyRuntime runtime, List<Cidr> clients)
    {
        this.runtime = runtime;
        this.clients = clients;
    }

    static boolean serves(String path)
    {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    void decide(HttpServletRequest gatewayRequest, HttpServletResponse response) throws IOException
    {
        Original original = original(gatewayRequest);
        HttpServletRequest asked = new HttpServletRequestWrapper(gatewayRequest)
        {
            @Override
            public String getMethod()
            {
                return original.method();
            }

            @Override
            public String getRequestURI()
            {
                return original.path();
            }

            @Override
            public String getContextPath()
            {
                return "";
            }
        };
        Exchange exchange = Exchange.begin(asked, runtime.exchanges());
        exchange.note("forward-auth decision for " + gatewayRequest.getRemoteAddr());
        response.setHeader("Cache-Control", "no-store");
        String peer = gatewayRequest.getRemoteAddr();
        if (clients.stream().noneMatch(block -> block.contains(peer)))
        {
            deny(exchange, response, new Authentication.Deny(HttpServletResponse.SC_FORBIDDEN, List.of(), peer + " is not in FORWARD_AUTH_CLIENTS", 0));
            return;
        }
        Authentication.Outcome outcome = runtime.authentication().authenticate(asked);
        if (outcome instanceof Authentication.Deny deny)
        {
            deny(exchange, response, deny);
            return;
        }
        Identity caller = ((Authentication.Pass)outcome).identity();
        JwtMinter.Minted minted;
        try
        {
            minted = runtime.mint(caller, original.method(), original.uri());
        }
        catch (RuntimeException x)
        {
            deny(exchange, response, new Authentication.Deny(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, List.of(), Failure.MINTING_FAILED.reason(), 0));
            return;
        }
        exchange.minted(minted.jti(), caller == null ? null : caller.subject());
        runtime.stats().forwardAuthDecided(true);
        response.setHeader(runtime.proxy().tokenHeader(), minted.token());
        if (caller != null)
        {
            response.setHeader("X-Auth-Request-User", caller.subject());
            if (caller.email() != null)
                response.setHeader("X-Auth-Request-Email", caller.email());
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentLength(0);
        exchange.finish(HttpServletResponse.SC_OK, false);
    }

    private void deny(Exchange exchange, HttpServletResponse response, Authentication.Deny deny)
    {
        runtime.stats().forwardAuthDecided(false);
        exchange.fail(new Failure(deny.status(), deny.reason()));
        deny.answer(response);
        exchange.finish(deny.status(), false);
    }

    /**
     * The original request, from the fields each gateway sends: nginx's {@code X-Original-Method}
     * and {@code X-Original-URI} (as the README's snippet sets them), Caddy's and Traefik's
     * {@code X-Forwarded-Method} and {@code -Uri}, or Envoy's shape, the original path after
     * {@code /forward-auth} and the original method; host and scheme from {@code X-Forwarded-Host}
     * and {@code -Proto}, else the request's own {@code Host} and {@code http}.
     */
    static Original original(HttpServletRequest request)
    {
        String method = first(request.getHeader("X-Original-Method"), request.getHeader("X-Forwarded-Method"), request.getMethod());
        String uri = first(request.getHeader("X-Original-URI"), request.getHeader("X-Forwarded-Uri"), null);
        if (uri == null)
        {
            // Envoy's ext_authz HTTP service: the original path appended to the authorization path.
            String rest = request.getRequestURI().substring(request.getContextPath().length() + PATH.length());
            uri = (rest.isEmpty() ? "/" : rest) + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        }
        String host = first(request.getHeader("X-Forwarded-Host"), request.getHeader("Host"), "localhost");
        String scheme = first(request.getHeader("X-Forwarded-Proto"), null, "http");
        return new Original(method.trim(), scheme.trim().toLowerCase(java.util.Locale.ROOT), host.trim(), uri.startsWith("/") ? uri : "/" + uri);
    }

    private static String first(String one, String two, String otherwise)
    {
        if (one != null && !one.isBlank())
            return one;
        if (two != null && !two.isBlank())
            return two;
        return otherwise;
    }
}
