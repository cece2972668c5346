package io.jwtproxy.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

import io.jwtproxy.config.AuthConfig;
import io.jwtproxy.http.Answer;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.http.RequestPath;

/**
 * The methods of {@code AUTH}, tried in order on each request: the first that authenticates it
 * names the caller. Without one, the request is refused, and nothing is forwarded: 503 if a
 * method could not check its credential now (the client did nothing wrong), else 401 with one
 * challenge per method that has an HTTP scheme (RFC 9110 §11.6.1), or 403 if none has. Paths of
 * {@code AUTH_PUBLIC_PATHS} pass without authentication. Counts every outcome by method.
 */
public final class Authentication
{
    /** What becomes of a request. */
    public sealed interface Outcome
    {
        /** @return the method that decided ({@code bearer}, {@code basic}, …; {@code public} for a public path, {@code none} for {@code AUTH=none}), or null when none did */
        String method();

        /** @return {@code authenticated}, {@code passed} (a public path, {@code AUTH=none}), {@code refused}, {@code limited} or {@code unavailable} */
        String outcome();
    }

    /**
     * @param identity who the caller is; null for a public path or with {@code AUTH=none} and no container principal
     * @param method the method that authenticated it, {@code public} or {@code none}
     */
    public record Pass(Identity identity, String method) implements Outcome
    {
        @Override
        public String outcome()
        {
            return method.equals("public") || method.equals("none") ? "passed" : "authenticated";
        }
    }

    /**
     * @param challenges the {@code WWW-Authenticate} values, one per method that has a scheme
     * @param retryAfterSeconds the {@code Retry-After} of a 429, else 0
     */
    public record Deny(int status, List<String> challenges, String reason, long retryAfterSeconds, String method) implements Outcome
    {
        /** A refusal no authentication method decided (a malformed request, a gateway not allowed to ask). */
        public Deny(int status, List<String> challenges, String reason, long retryAfterSeconds)
        {
            this(status, challenges, reason, retryAfterSeconds, null);
        }

        @Override
        public String outcome()
        {
            return status == 503 ? "unavailable" : status == 429 ? "limited" : "refused";
        }

        /** @return the refusal: its status, challenges and Retry-After, no body, not to be cached */
        public Answer answer()
        {
            HttpFields.Mutable fields = HttpFields.build();
            for (String challenge : challenges)
                fields.add(HttpHeader.WWW_AUTHENTICATE, challenge);
            if (retryAfterSeconds > 0)
                fields.put(HttpHeader.RETRY_AFTER, Long.toString(retryAfterSeconds));
            fields.put(HttpHeader.CACHE_CONTROL, "no-store");
            return Answer.empty(status, fields);
        }
    }

    static final String REALM = "jwt-proxy";

    private final AuthConfig config;
    private final List<Authenticator> authenticators;
    private final List<String> credentialFields;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    Authentication(AuthConfig config, List<Authenticator> authenticators)
    {
        this.config = config;
        this.authenticators = List.copyOf(authenticators);
        // Whatever the methods, the upstream trusts the proxy's token alone: no credential of the client's goes on.
        this.credentialFields = authenticators.isEmpty() ? List.of() : Stream.concat(Stream.of("Authorization"),
            authenticators.stream().flatMap(authenticator -> authenticator.credentialFields().stream())).map(name -> name.toLowerCase(Locale.ROOT))
            .distinct().toList();
    }

    /** The methods {@code config} names, in its order. */
    public static Authentication of(AuthConfig config)
    {
        List<Authenticator> authenticators = new ArrayList<>();
        for (AuthConfig.Method method : config.methods())
        {
            authenticators.add(switch (method)
            {
                case BEARER -> new BearerAuthenticator(config, REALM);
                case BASIC -> new BasicAuthenticator(config, REALM);
                case MTLS -> new CertificateAuthenticator();
                case HEADER -> new HeaderAuthenticator(config);
                case CONTAINER -> new ContainerAuthenticator();
            });
        }
        return new Authentication(config, authenticators);
    }

    /**
     * @param path the request's path in normal form ({@link io.jwtproxy.http.RequestPath}), the one it is forwarded to
     * @param clientAddress the client's address: the TCP peer's, or the one a trusted balancer or gateway reports
     */
    public Outcome authenticate(ClientRequest clientRequest, String path, String clientAddress)
    {
        if (authenticators.isEmpty())
        {
            // AUTH=none: as before authentication was a setting, the container's principal if it has one.
            String user = clientRequest.getRemoteUser();
            return new Pass(user == null ? null : new Identity(user, null, null, List.of()), "none");
        }
        if (config.publicPaths().stream().anyMatch(prefix -> RequestPath.under(path, prefix)))
        {
            count("public", "passed");
            return new Pass(null, "public");
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (Authenticator authenticator : authenticators)
        {
            Verdict verdict = authenticator.authenticate(clientRequest, clientAddress);
            verdicts.add(verdict);
            if (verdict instanceof Verdict.Authenticated authenticated)
            {
                count(authenticator.method(), "authenticated");
                return new Pass(authenticated.identity(), authenticator.method());
            }
            if (verdict instanceof Verdict.Refused)
                count(authenticator.method(), "refused");
            else if (verdict instanceof Verdict.Unavailable)
                count(authenticator.method(), "unavailable");
            else if (verdict instanceof Verdict.Limited)
                count(authenticator.method(), "limited");
        }
        for (int i = 0; i < verdicts.size(); i++)
        {
            if (verdicts.get(i) instanceof Verdict.Unavailable unavailable)
                return new Deny(503, List.of(), "authentication unavailable: " + unavailable.reason(), 0, authenticators.get(i).method());
        }
        for (int i = 0; i < verdicts.size(); i++)
        {
            // RFC 6585 §4: too many attempts; the credential was not looked at.
            if (verdicts.get(i) instanceof Verdict.Limited limited)
                return new Deny(429, List.of(), "too many failed attempts from " + clientAddress, limited.retryAfterSeconds(), authenticators.get(i).method());
        }
        List<String> challenges = new ArrayList<>();
        String reason = "no credential";
        String refusedBy = null;
        for (int i = 0; i < authenticators.size(); i++)
        {
            String challenge = authenticators.get(i).challenge(verdicts.get(i));
            if (challenge != null)
                challenges.add(challenge);
            if (verdicts.get(i) instanceof Verdict.Refused refused && refusedBy == null)
            {
                refusedBy = authenticators.get(i).method();
                reason = refusedBy + ": " + refused.reason();
            }
        }
        count("none", "unauthenticated");
        return new Deny(challenges.isEmpty() ? 403 : 401, challenges, "not authenticated: " + reason, 0, refusedBy);
    }

    /** @return whether checking {@code clientRequest} may wait (see {@link Authenticator#mayWait}) */
    public boolean mayWait(ClientRequest clientRequest)
    {
        for (Authenticator authenticator : authenticators)
        {
            if (authenticator.mayWait(clientRequest))
                return true;
        }
        return false;
    }

    /** @return whether {@code AUTH} names a method: callers must then be authenticated */
    public boolean enabled()
    {
        return !authenticators.isEmpty();
    }

    /** @return the request fields (lower case) that carry a credential or an identity of a configured method: never forwarded */
    public List<String> credentialFields()
    {
        return credentialFields;
    }

    /** @return method -> outcome -> count, for the status page */
    public Map<String, Map<String, Long>> counts()
    {
        Map<String, Map<String, Long>> byMethod = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry ->
        {
            String[] key = entry.getKey().split(" ", 2);
            byMethod.computeIfAbsent(key[0], method -> new LinkedHashMap<>()).put(key[1], entry.getValue().sum());
        });
        return byMethod;
    }

    private void count(String method, String outcome)
    {
        counts.computeIfAbsent(method + " " + outcome, key -> new LongAdder()).increment();
    }
}
