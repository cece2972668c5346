package io.jwtproxy;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.jwtproxy.http.Cidr;

/** The jar's admin listener: the {@link AdminEndpoints} at the root, {@link ForwardAuth} when on, 404 for anything else. */
public final class AdminServlet extends HttpServlet
{
    private final transient AdminEndpoints endpoints;
    private final transient ForwardAuth forwardAuth;

    /** @param forwardAuthClients who may call {@code /forward-auth}; null to answer it 404 (FORWARD_AUTH off) */
    public AdminServlet(ProxyRuntime runtime, List<Cidr> forwardAuthClients)
    {
        this.endpoints = new AdminEndpoints(runtime, forwardAuthClients != null);
        this.forwardAuth = forwardAuthClients == null ? null : new ForwardAuth(runtime, forwardAuthClients);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException
    {
        if (forwardAuth != null && ForwardAuth.serves(request.getRequestURI()))
            forwardAuth.decide(request, response);
        else if (!endpoints.answered(request.getRequestURI(), request, response))
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
}
