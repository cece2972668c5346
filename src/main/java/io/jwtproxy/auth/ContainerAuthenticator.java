package io.jwtproxy.auth;

import java.util.List;

import io.jwtproxy.config.AuthConfig;
import io.jwtproxy.http.ClientRequest;

/** {@code container}: the principal the servlet container authenticated ({@code getRemoteUser()}). */
final class ContainerAuthenticator implements Authenticator
{
    @Override
    public String method()
    {
        return AuthConfig.Method.CONTAINER.label();
    }

    @Override
    public Verdict authenticate(ClientRequest clientRequest, String clientAddress)
    {
        String user = clientRequest.getRemoteUser();
        return user == null ? new Verdict.Absent() : new Verdict.Authenticated(new Identity(user, null, null, List.of()));
    }

    @Override
    public String challenge(Verdict verdict)
    {
        // The container's own login configuration challenges, before the proxy sees the request.
        return null;
    }

    @Override
    public List<String> credentialFields()
    {
        // Where the container took a Basic credential from.
        return List.of("Authorization");
    }
}
