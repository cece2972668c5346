package io.jwtproxy.auth;

import java.util.Arrays;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import io.jwtproxy.config.AuthConfig;
import io.jwtproxy.http.Cidr;

/**
 * {@code header}: the identity an authenticating proxy in front asserts (oauth2-proxy's
 * {@code X-Forwarded-User}, {@code -Email}, {@code -Groups}), believed only from a TCP peer in
 * {@code AUTH_TRUSTED_PROXIES}. From any other peer the fields authenticate nothing, and like all
 * credential fields they never reach the upstream.
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
    public Verdict authenticate(HttpServletRequest clientRequest)
    {
        String peer = clientRequest.getRemoteAddr();
        if (trustedProxies.stream().noneMatch(block -> block.contains(peer)))
            return new Verdict.Absent();
        String user = clientRequest.getHeader(userHeader);
        if (user == null || user.isBlank())
            return new Verdict.Absent();
        String groups = clientRequest.getHeader(groupsHeader);
        List<String> groupList = groups == null ? List.of()
            : Arrays.stream(groups.split(",")).map(String::trim).filter(group -> !group.isEmpty()).toList();
        String email = clientRequest.getHeader(emailHeader);
        return new Verdict.Authenticated(new Identity(user.trim(), email == null || email.isBlank() ? null : email.trim(), null, groupList));
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
