package io.jwtproxy.config;

import java.util.List;
import java.util.Locale;

/**
 * Which gateway asks {@code /forward-auth} (FORWARD_AUTH_GATEWAY), and so which of its request's
 * fields name the original request: those are read, never a field the client could have written
 * instead.
 */
public enum ForwardAuthGateway
{
    /** nginx {@code auth_request}, with docs/forward-auth.md's snippet setting {@code X-Original-Method} and {@code -URI}. */
    NGINX("X-Original-Method", "X-Original-URI"),
    /** Caddy {@code forward_auth}: {@code X-Forwarded-Method} and {@code -Uri}. */
    CADDY("X-Forwarded-Method", "X-Forwarded-Uri"),
    /** Traefik {@code forwardAuth}: {@code X-Forwarded-Method} and {@code -Uri}. */
    TRAEFIK("X-Forwarded-Method", "X-Forwarded-Uri"),
    /** Envoy {@code ext_authz}: the original path after {@code /forward-auth}, and the request's own method. */
    ENVOY(null, null),
    /** Whichever of those a request carries; two that disagree are refused. */
    ANY(null, null);

    /** The two spellings of the original method and URI that gateways send. */
    public static final List<String> METHOD_FIELDS = List.of("X-Original-Method", "X-Forwarded-Method");
    public static final List<String> URI_FIELDS = List.of("X-Original-URI", "X-Forwarded-Uri");

    private final String methodField;
    private final String uriField;

    ForwardAuthGateway(String methodField, String uriField)
    {
        this.methodField = methodField;
        this.uriField = uriField;
    }

    /** @return the field this gateway gives the original method in; null for the request's own (Envoy) or any (ANY) */
    public String methodField()
    {
        return methodField;
    }

    /** @return the field this gateway gives the original URI in; null for the path (Envoy) or any (ANY) */
    public String uriField()
    {
        return uriField;
    }

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
