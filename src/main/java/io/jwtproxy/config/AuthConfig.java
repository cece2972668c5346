package io.jwtproxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.jwtproxy.http.Cidr;
import io.jwtproxy.http.Headers;
import io.jwtproxy.http.RequestPath;

/**
 * How callers are authenticated: the methods in the order they are tried, and each one's
 * settings, checked together.
 *
 * @param methods empty for {@code AUTH=none}
 * @param issuer {@code bearer}: the issuer, {@code iss} exactly
 * @param jwksUrl {@code bearer}: the key set, or null to discover it from the issuer
 * @param copiedClaims {@code bearer}: which of email, groups, name are copied into the proxy's token
 * @param publicPaths path prefixes forwarded without authentication, in normal form ({@link RequestPath#under})
 * @param maxTokenBytes the largest token the proxy sends (JWT_MAX_BYTES)
 * @param basicFile {@code basic}: the htpasswd file, re-read when it changes
 * @param basicUsers {@code basic}: the file as it was at start-up
 * @param basicMaxFailures {@code basic}: failed attempts one client address may make in a minute for one user name
 */
public record AuthConfig(List<Method> methods, String issuer, URI jwksUrl, String audience, List<String> algorithms, Duration clockSkew,
                         Set<String> copiedClaims, List<Cidr> trustedProxies, String userHeader, String emailHeader, String groupsHeader,
                         List<String> publicPaths, int maxTokenBytes, Path basicFile, Htpasswd basicUsers, int basicMaxFailures)
{
    /** The authentication methods, by their names in {@code AUTH}. */
    public enum Method
    {
        BEARER, BASIC, MTLS, HEADER, CONTAINER;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The claims of the provider's token that may be copied. */
    public static final List<String> COPYABLE_CLAIMS = List.of("email", "groups", "name");
    /** The JWS algorithms a provider's token may be signed with: asymmetric ones (RFC 7518 §3.1, RFC 8037). */
    public static final List<String> ASYMMETRIC_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
        "ES512", "EdDSA");

    public static AuthConfig none()
    {
        return new AuthConfig(List.of(), null, null, null, List.of(), Duration.ZERO, Set.of(), List.of(), null, null, null, List.of(),
            Integer.parseInt(Setting.JWT_MAX_BYTES.defaultValue()), null, null, 0);
    }

    public boolean enabled()
    {
        return !methods.isEmpty();
    }

    public boolean uses(Method method)
    {
        return methods.contains(method);
    }

    /** Reads and checks the authentication settings, adding what is wrong to {@code problems}. */
    public static AuthConfig load(ConfigSource source, Problems problems)
    {
        List<Method> methods = new ArrayList<>();
        for (String name : list(Values.string(source, Setting.AUTH)))
        {
            if (name.equalsIgnoreCase("none"))
                continue;
            Method method = Arrays.stream(Method.values()).filter(m -> m.label().equals(name.toLowerCase(Locale.ROOT))).findFirst().orElse(null);
            if (method == null)
                problems.add(Setting.AUTH, "\"" + name + "\" is none of none, bearer, basic, mtls, header, container");
            else if (methods.contains(method))
                problems.add(Setting.AUTH, "names " + name + " twice");
            else
                methods.add(method);
        }

        String issuer = Values.optional(source, Setting.AUTH_ISSUER);
        URI jwksUrl = null;
        String jwks = Values.optional(source, Setting.AUTH_JWKS_URL);
        String audience = Values.optional(source, Setting.AUTH_AUDIENCE);
        List<String> algorithms = list(Values.string(source, Setting.AUTH_ALGORITHMS));
        Duration skew = Values.duration(source, Setting.AUTH_CLOCK_SKEW, problems);
        Set<String> claims = Set.copyOf(list(Values.string(source, Setting.AUTH_CLAIMS)).stream().map(c -> c.toLowerCase(Locale.ROOT))
            .filter(c -> !c.equals("none")).toList());
        if (methods.contains(Method.BEARER))
        {
            if (issuer == null)
                problems.add(Setting.AUTH_ISSUER, "is required with AUTH=bearer (the provider's issuer URL, as its tokens' iss)");
            else if (!httpUrl(issuer))
                problems.add(Setting.AUTH_ISSUER, "\"" + issuer + "\" is not an absolute http(s) URL");
            if (jwks != null)
            {
                if (httpUrl(jwks))
                    jwksUrl = URI.create(jwks);
                else
                    problems.add(Setting.AUTH_JWKS_URL, "\"" + jwks + "\" is not an absolute http(s) URL");
            }
            if (audience == null)
                problems.add(Setting.AUTH_AUDIENCE, "is required with AUTH=bearer (the client ID the provider issues tokens for)");
            for (String algorithm : algorithms)
            {
                if (!ASYMMETRIC_ALGORITHMS.contains(algorithm))
                    problems.add(Setting.AUTH_ALGORITHMS, "\"" + algorithm + "\" is not one of " + String.join(", ", ASYMMETRIC_ALGORITHMS)
                        + " (never none, never HS*)");
            }
            if (algorithms.isEmpty())
                problems.add(Setting.AUTH_ALGORITHMS, "names no algorithm");
            for (String claim : claims)
            {
                if (!COPYABLE_CLAIMS.contains(claim))
                    problems.add(Setting.AUTH_CLAIMS, "\"" + claim + "\" is none of " + String.join(", ", COPYABLE_CLAIMS) + ", none");
            }
        }

        List<Cidr> trusted = new ArrayList<>();
        for (String block : list(Values.string(source, Setting.AUTH_TRUSTED_PROXIES)))
        {
            try
            {
                trusted.add(Cidr.parse(block));
            }
            catch (IllegalArgumentException x)
            {
                problems.add(Setting.AUTH_TRUSTED_PROXIES, x.getMessage());
            }
        }
        String userHeader = header(source, Setting.AUTH_USER_HEADER, problems);
        String emailHeader = header(source, Setting.AUTH_EMAIL_HEADER, problems);
        String groupsHeader = header(source, Setting.AUTH_GROUPS_HEADER, problems);
        if (methods.contains(Method.HEADER) && Values.optional(source, Setting.AUTH_TRUSTED_PROXIES) == null)
            problems.add(Setting.AUTH_TRUSTED_PROXIES, "is required with AUTH=header (the addresses of the authenticating proxies in front)");

        List<String> publicPaths = new ArrayList<>();
        for (String path : list(Values.string(source, Setting.AUTH_PUBLIC_PATHS)))
        {
            if (!path.startsWith("/"))
                problems.add(Setting.AUTH_PUBLIC_PATHS, "\"" + path + "\" does not start with /");
            else if (!RequestPath.isNormal(path))
                problems.add(Setting.AUTH_PUBLIC_PATHS, "\"" + path + "\" is not a path in normal form (no . or .. segments, no //, "
                    + "unreserved characters unescaped): requests are matched in normal form");
            else
                publicPaths.add(path);
        }
        int maxTokenBytes = Values.integer(source, Setting.JWT_MAX_BYTES, problems);
        Path basicFile = null;
        Htpasswd basicUsers = null;
        String basic = Values.optional(source, Setting.AUTH_BASIC_FILE);
        if (methods.contains(Method.BASIC))
        {
            if (basic == null)
                problems.add(Setting.AUTH_BASIC_FILE, "is required with AUTH=basic (an htpasswd file made with htpasswd -B)");
            else
            {
                try
                {
                    basicFile = Path.of(basic);
                    basicUsers = Htpasswd.load(basicFile);
                }
                catch (IllegalArgumentException x)
                {
                    problems.add(Setting.AUTH_BASIC_FILE, x.getMessage());
                }
            }
        }
        int basicMaxFailures = Values.integer(source, Setting.AUTH_BASIC_MAX_FAILURES, problems);
        return new AuthConfig(List.copyOf(methods), issuer, jwksUrl, audience, List.copyOf(algorithms), skew, claims, List.copyOf(trusted),
            userHeader, emailHeader, groupsHeader, List.copyOf(publicPaths), maxTokenBytes, basicFile, basicUsers, basicMaxFailures);
    }

    private static String header(ConfigSource source, Setting setting, Problems problems)
    {
        String name = Values.string(source, setting).trim();
        if (!Headers.isToken(name))
            problems.add(setting, "\"" + name + "\" is not a valid header name");
        return name;
    }

    private static boolean httpUrl(String text)
    {
        try
        {
            URI uri = new URI(text);
            return uri.isAbsolute() && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        }
        catch (java.net.URISyntaxException x)
        {
            return false;
        }
    }

    private static List<String> list(String value)
    {
        if (value == null)
            return List.of();
        return Arrays.stream(value.split(",")).map(String::trim).filter(part -> !part.isEmpty()).toList();
    }
}
