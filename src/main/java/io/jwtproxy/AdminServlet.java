package io.jwtproxy;

import java.io.IOException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The jar's admin listener: the {@link AdminEndpoints} at the root, 404 for anything else. */
public final class AdminServlet extends HttpServlet
{
    private final transient AdminEndpoints endpoints;

    public AdminServlet(ProxyRuntime runtime)
    {
        this.endpoints = new AdminEndpoints(runtime);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException
    {
        if (!endpoints.answered(request.getRequestURI(), request, response))
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
}
