package io.jwtproxy.auth;

import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;

import io.jwtproxy.config.AuthConfig;
import io.jwtproxy.http.Cidr;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.http.Headers;

/**
 * {@code header}: the identity an authenticating proxy in front asserts (oauth2-proxy's
 * {@code X-Forwarded-User}, {@code -Email}, {@code -Groups}), believed only from a TCP peer in
 * {@code AUTH_TRUSTED_PROXIES}. From any other peer the fields authenticate nothing, and like all
 * credential fields they never reach the upstream. A field that comes twice is refused, never one of
 * its copies believed; values are read as UTF-8.
 */
final class HeaderAuthenticator implements Authenticator
{
    private final List<Cidr> trustedProxies;
    private final String userHeader;
    private final String emailHeader;
    private final String groupsHeader;

    HeaderAuthenticator(AuthConfig config)
    {
        this.trustedProxies = config.trustedProxies();
        this.userHeader = config.userHeader();
        this.emailHeader = config.emailHeader();
        this.groupsHeader = config.groupsHeader();
    }

    @Override
    public String method()
    {
        return AuthConfig.Method.HEADER.label();
    }

    @Override
    public Verdict authenticate(ClientRequest clientRequest, String clientAddress)
    {
        String peer = clientRequest.getRemoteAddr();
        if (trustedProxies.stream().noneMatch(block -> block.contains(peer)))
            return new Verdict.Absent();
        String user;
        String email;
        String groups;
        try
        {
            user = single(clientRequest, userHeader);
            email = single(clientRequest, emailHeader);
            groups = single(clientRequest, groupsHeader);
        }
        catch (IllegalArgumentException x)
        {
            return new Verdict.Refused(x.getMessage());
        }
        if (user == null || user.isBlank())
            return new Verdict.Absent();
        List<String> groupList = groups == null ? List.of()
            : Arrays.stream(groups.split(",")).map(String::trim).filter(group -> !group.isEmpty()).toList();
        return new Verdict.Authenticated(new Identity(user.trim(), email == null || email.isBlank() ? null : email.trim(), null, groupList));
    }

    /**
     * @return the one value of the field {@code name}, as UTF-8, or null if it is absent
     * @throws IllegalArgumentException if it comes twice (a proxy that appends would let the client's copy
     *         compete with its own), is no UTF-8 (oauth2-proxy sends a user's name as UTF-8 bytes) or has a control
     *         character or a line separator
     */
    private static String single(ClientRequest clientRequest, String name)
    {
        Enumeration<String> values = clientRequest.getHeaders(name);
        if (values == null || !values.hasMoreElements())
            return null;
        String value = values.nextElement();
        if (values.hasMoreElements())
            throw new IllegalArgumentException("two " + name + " fields: the identity is ambiguous");
        return Headers.utf8(value).orElseThrow(() -> new IllegalArgumentException(name + " is not UTF-8 or has a control character"));
    }

    @Override
    public String challenge(Verdict verdict)
    {
        // The proxy in front authenticates; there is no scheme a client could answer here.
        return null;
    }

    @Override
    public List<String> credentialFields()
    {
        return List.of(userHeader, emailHeader, groupsHeader);
    }
}
