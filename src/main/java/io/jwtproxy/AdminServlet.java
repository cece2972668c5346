package io.jwtproxy;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.jwtproxy.admin.AdminEndpoints;
import io.jwtproxy.admin.ForwardAuth;
import io.jwtproxy.config.ServerConfig;
import io.jwtproxy.http.Answer;
import io.jwtproxy.http.Cidr;
import io.jwtproxy.http.RequestPath;
import io.jwtproxy.runtime.ProxyRuntime;

/** The jar's admin listener: the {@link AdminEndpoints} at the root, {@link ForwardAuth} when on, 404 for anything else. */
public final class AdminServlet extends HttpServlet
{
    private final transient AdminEndpoints endpoints;
    private final transient ForwardAuth forwardAuth;

    /** @param settings the listener's: who may call {@code /forward-auth} (nobody: it answers 404, FORWARD_AUTH off), and whose fields it reads */
    public AdminServlet(ProxyRuntime runtime, ServerConfig.AdminListener settings)
    {
        List<Cidr> clients = settings.forwardAuthClients();
        this.endpoints = new AdminEndpoints(runtime, clients != null);
        this.forwardAuth = clients == null ? null : new ForwardAuth(runtime, clients, settings.forwardAuthGateway());
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException
    {
        String path;
        try
        {
            path = RequestPath.normalise(request.getRequestURI());
        }
        catch (RequestPath.Refused x)
        {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, x.getMessage());
            return;
        }
        if (forwardAuth != null && ForwardAuth.serves(path))
        {
            ForwardAuth.Decision decision = forwardAuth.decide(new ServletClientRequest(request), path);
            try
            {
                ServletClientRequest.send(request, response, decision.answer());
            }
            catch (IOException | RuntimeException x)
            {
                decision.written(true);
                throw x;
            }
            decision.written(false);
        }
        else
        {
            Answer answer = endpoints.answer(path, new ServletClientRequest(request));
            if (answer == null)
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
            else
                ServletClientRequest.send(request, response, answer);
        }
    }
}
